// Command extract reads the CRD that controller-gen wrote for the generated holder type and
// prints krb's table: one schema per Kubernetes type, keyed by its k8s_openapi Rust path.
// A subtree equal to another entry (descriptions aside) is stored as {"$krb": key} plus the
// keys that differ, which keeps the table small; krb expands it when loading.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

func main() {
	crdPath, typesPath := os.Args[1], os.Args[2]
	raw, err := os.ReadFile(crdPath)
	check(err)
	var crd map[string]any
	check(yaml.Unmarshal(raw, &crd))
	spec := dig(crd, "spec", "versions").([]any)[0].(map[string]any)
	props := dig(spec, "schema", "openAPIV3Schema", "properties", "spec", "properties").(map[string]any)

	f, err := os.Open(typesPath)
	check(err)
	defer f.Close()
	table := map[string]any{}
	var keys []string
	sc := bufio.NewScanner(f)
	i := 0
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key := strings.Fields(line)[0]
		s, ok := props[fmt.Sprintf("f%d", i)]
		if !ok {
			panic("missing field for " + key)
		}
		table[key] = s
		keys = append(keys, key)
		i++
	}
	// Deduplicate: bigger entries refer to smaller ones.
	sort.SliceStable(keys, func(a, b int) bool { return size(table[keys[a]]) < size(table[keys[b]]) })
	out := map[string]any{}
	for n, k := range keys {
		out[k] = dedupe(table[k], keys[:n], table, true)
	}
	names := make([]string, 0, len(out))
	for k := range out {
		names = append(names, k)
	}
	sort.Strings(names)
	w := bufio.NewWriter(os.Stdout)
	fmt.Fprintln(w, "{")
	for n, k := range names {
		b, err := json.Marshal(out[k])
		check(err)
		kb, _ := json.Marshal(k)
		sep := ","
		if n == len(names)-1 {
			sep = ""
		}
		fmt.Fprintf(w, "%s: %s%s\n", kb, b, sep)
	}
	fmt.Fprintln(w, "}")
	check(w.Flush())
}

func withoutDesc(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	c := map[string]any{}
	for k, x := range m {
		if k != "description" {
			c[k] = x
		}
	}
	return c
}

func dedupe(v any, smaller []string, table map[string]any, root bool) any {
	switch t := v.(type) {
	case map[string]any:
		if !root {
			for i := len(smaller) - 1; i >= 0; i-- {
				k := smaller[i]
				if reflect.DeepEqual(withoutDesc(t), withoutDesc(table[k])) && size(withoutDesc(t)) > 200 {
					ref := map[string]any{"$krb": k}
					if d, ok := t["description"]; ok {
						ref["description"] = d
					} else {
						ref["description"] = nil
					}
					return ref
				}
			}
		}
		out := map[string]any{}
		for k, x := range t {
			out[k] = dedupe(x, smaller, table, false)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = dedupe(x, smaller, table, false)
		}
		return out
	}
	return v
}

func size(v any) int {
	b, _ := json.Marshal(v)
	return len(b)
}

func dig(v any, path ...string) any {
	for _, p := range path {
		v = v.(map[string]any)[p]
	}
	return v
}

func check(err error) {
	if err != nil {
		panic(err)
	}
}
