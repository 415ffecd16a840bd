// Command jsontoyaml converts JSON documents (one per line on stdin) to YAML the way
// controller-gen does (sigs.k8s.io/yaml), each prefixed by "---". krb's YAML emitter is tested
// against it.
package main

import (
	"bufio"
	"os"

	"sigs.k8s.io/yaml"
)

func main() {
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 64<<20), 64<<20)
	w := bufio.NewWriter(os.Stdout)
	for sc.Scan() {
		y, err := yaml.JSONToYAML(sc.Bytes())
		if err != nil {
			panic(err)
		}
		w.WriteString("---\n")
		w.Write(y)
	}
	if err := w.Flush(); err != nil {
		panic(err)
	}
}
