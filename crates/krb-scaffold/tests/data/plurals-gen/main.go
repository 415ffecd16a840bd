// Command plurals-gen prints the reference plural table that krb's
// naming::pluralize is tested against.
//
// Default mode prints `word<TAB>plural` where plural is what kubebuilder
// computes for a kind (resource.RegularPlural):
// flect.Pluralize(strings.ToLower(word)).
// With -raw it prints `word<TAB>flect.Pluralize(word)` (no lowercasing) for a
// larger, mixed-case list, to pin flect's case and acronym handling too.
//
// Regenerate (from this directory):
//
//	go run . > ../plurals.tsv
//	go run . -raw > ../plurals-raw.tsv
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"strings"

	"github.com/gobuffalo/flect"
)

// Entries of flect's dictionary (singular, plural and alternative forms).
var dictionary = []string{
	"aircraft", "beef", "beefs", "bison", "blues", "chassis", "deer", "fish", "fishes",
	"moose", "police", "salmon", "salmons", "series", "sheep", "shrimp", "shrimps",
	"species", "swine", "swines", "trout", "trouts", "tuna", "tunas", "you",
	"child", "children", "ox", "oxen", "foot", "feet", "goose", "geese", "man", "men",
	"human", "humans", "louse", "lice", "mouse", "mice", "tooth", "teeth", "woman", "women",
	"die", "dice", "person", "people", "adieu", "adieux", "adieus", "fabliau", "fabliaux",
	"bureau", "bureaus", "bureaux", "criterion", "criteria", "ganglion", "ganglia", "ganglions",
	"lexicon", "lexica", "lexicons", "mitochondrion", "mitochondria", "mitochondrions",
	"noumenon", "noumena", "phenomenon", "phenomena", "taxon", "taxa", "media", "medium",
	"mediums", "stadium", "stadiums", "stadia", "aquarium", "aquaria", "aquariums",
	"auditorium", "auditoria", "auditoriums", "symposium", "symposia", "symposiums",
	"curriculum", "curriculums", "curricula", "quota", "quotas", "alumnus", "alumni",
	"alumnuses", "bacillus", "bacilli", "cactus", "cacti", "cactuses", "coccus", "cocci",
	"focus", "foci", "focuses", "locus", "loci", "locuses", "nucleus", "nuclei", "nucleuses",
	"octopus", "octupuses", "octopi", "radius", "radii", "radiuses", "syllabus", "syllabi",
	"corpus", "corpora", "corpuses", "genus", "genera", "alumna", "alumnae", "vertebra",
	"vertebrae", "differentia", "differentiae", "minutia", "minutiae", "vita", "vitae",
	"larva", "larvae", "postcava", "postcavae", "praecava", "praecavae", "uva", "uvae",
	"apex", "apices", "apexes", "codex", "codices", "codexes", "index", "indices", "indexes",
	"latex", "latices", "latexes", "vertex", "vertices", "vertexes", "vortex", "vortices",
	"vortexes", "appendix", "appendices", "appendixes", "radix", "radices", "radixes",
	"helix", "helices", "helixes", "axis", "axes", "crisis", "crises", "ellipsis", "ellipses",
	"genesis", "geneses", "oasis", "oases", "thesis", "theses", "testis", "testes", "base",
	"bases", "basis", "alias", "aliases", "vedalia", "vedalias", "use", "uses", "abuse",
	"abuses", "cause", "causes", "clause", "clauses", "cruse", "cruses", "excuse", "excuses",
	"fuse", "fuses", "house", "houses", "misuse", "misuses", "muse", "muses", "pause",
	"pauses", "ache", "aches", "topaz", "topazes", "buffalo", "buffaloes", "buffalos",
	"potato", "potatoes", "tomato", "tomatoes", "equipment", "information", "jeans", "money",
	"news", "rice", "dwarf", "dwarfs", "dwarves", "hoof", "hoofs", "hooves", "thief",
	"thieves", "chive", "chives", "hive", "hives", "move", "moves", "movie", "movies",
	"cookie", "cookies", "pretorium", "pretoriums", "agenda", "agendas", "formula",
	"formulas", "formulae", "shoe", "shoes", "toe", "toes", "graffiti", "id", "ids",
}

// At least one word per suffix rule of flect (singularToPluralSuffixList),
// plus compounds that hit the dictionary-derived suffix rules.
var suffixRules = []string{
	"detective", "objective", "leaf", "sheaf", "loaf", "safe", "cafe", "scarf", "wharf",
	"turfe", "turf", "surf", "wolf", "shelf", "self", "half", "golf", "knife", "wife", "life",
	"giraffe", "day", "gateway", "relay", "key", "monkey", "toy", "deploy", "soliloquy",
	"guy", "buy", "policy", "proxy", "entry", "registry", "query", "city", "strategy",
	"topology", "dependency", "plateau", "chateau", "fibula", "nebula", "glandula",
	"cellula", "lunula", "valvula", "polyhedron", "podium", "premium", "sodium", "museum",
	"lyceum", "moum", "ostracum", "addendum", "memorandum", "velum", "hilum", "scolum",
	"pendulum", "vexillum", "asylum", "minimum", "maximum", "optimum", "sternum", "magnum",
	"cerebrum", "sacrum", "exterum", "serum", "spectrum", "quantum", "datum", "stratum",
	"erratum", "momentum", "ametum", "ditum", "totum", "scutum", "dictum", "ovum", "matrix",
	"psoriasis", "emesis", "telekinesis", "diaphoresis", "diagnosis", "synopsis",
	"analysis", "blouse", "spouse", "bus", "status", "virus", "campus", "census", "bonus",
	"batch", "switch", "branch", "patch", "watch", "search", "radio", "studio", "ratio",
	"portfolio", "scenario", "mesh", "hash", "flash", "crash", "class", "process", "access",
	"address", "ingress", "egress", "pass", "fez", "quiz", "whiz", "blitz", "waltz", "buzz",
	"fizz", "piano", "volcano", "halo", "silo", "solo", "photo", "veto", "zoo", "tattoo",
	"kangaroo", "hero", "echo", "tornado", "repo", "cargo", "tuxedo", "box", "fox", "prefix",
	"suffix", "sandbox", "inbox", "lens", "gas", "canvas", "price", "device", "service",
	"german", "shaman", "fireman", "superhuman", "barefoot", "mongoose", "dormouse",
	"bayou", "indie", "tiptoe", "taxis", "because", "grandchild", "chairperson", "mediums",
	"archive", "belief", "chief", "roof", "hobby", "abbey", "academy", "entity", "bacterium",
	"coliseum", "collum", "platinum", "opera", "antenna", "multimedia", "lunch", "marsh",
	"caucus", "plus", "prometheus", "quartz", "prize", "case", "database", "horse", "truss",
	"hello", "complex", "duplex", "accomplice", "slice", "justice", "spice", "invoice",
	"choice", "tax", "eclipse", "hypothesis", "parenthesis", "prognosis", "synapse", "waste",
	"psi", "pepsi", "experience", "edge", "fleet", "comment", "newsletter", "stack",
}

// Typical Kubernetes / operator kinds, as a user types them.
var kinds = []string{
	"Pod", "Service", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job",
	"CronJob", "ConfigMap", "Secret", "Namespace", "Node", "PersistentVolume",
	"PersistentVolumeClaim", "StorageClass", "Ingress", "IngressClass", "NetworkPolicy",
	"Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding", "ServiceAccount",
	"Endpoints", "EndpointSlice", "Event", "LimitRange", "ResourceQuota",
	"HorizontalPodAutoscaler", "PodDisruptionBudget", "PriorityClass", "RuntimeClass",
	"Lease", "CustomResourceDefinition", "APIService", "MutatingWebhookConfiguration",
	"ValidatingWebhookConfiguration", "CertificateSigningRequest", "CSIDriver", "CSINode",
	"VolumeAttachment", "PodTemplate", "ReplicationController", "ComponentStatus",
	"Binding", "TokenReview", "SubjectAccessReview", "Status", "Proxy", "Policy",
	"Certificate", "Issuer", "ClusterIssuer", "Gateway", "GatewayClass", "HTTPRoute",
	"GRPCRoute", "TLSRoute", "VirtualService", "DestinationRule", "ServiceMonitor",
	"PodMonitor", "PrometheusRule", "Alertmanager", "Prometheus", "Memcached", "Guestbook",
	"Captain", "FirstMate", "Admiral", "Sailor", "Navigator", "Database", "Cluster",
	"Backup", "Restore", "Snapshot", "VolumeSnapshot", "Index", "Matrix", "Person",
	"Child", "Mouse", "Sheep", "Series", "Cactus", "Bus", "Box", "Quiz", "Leaf", "Knife",
	"Potato", "Analysis", "Criterion", "Datum", "Address", "Alias", "Redis", "Kafka",
	"KafkaTopic", "Postgres", "PostgresCluster", "Mysql", "MongoDB", "Dns", "DNSRecord",
	"DNSEndpoint", "Schema", "Cache", "Queue", "Topic", "Key", "ApiKey", "Day", "Toy",
	"Entry", "Registry", "Repository", "Query", "Story", "Hero", "Photo", "Video", "Zoo",
	"Echo", "Veto", "Tomato", "Application", "AppProject", "Workflow", "Pipeline",
	"PipelineRun", "Task", "TaskRun", "Rollout", "Canary", "Release", "HelmRelease",
	"Kustomization", "GitRepository", "Bucket", "Alert", "Receiver", "Provider",
	"Tenant", "Project", "Environment", "Secretstore", "ExternalSecret", "ClusterSecretStore",
	"Machine", "MachineSet", "MachineDeployment", "KubeadmControlPlane", "Bastion", "Vpc",
	"Subnet", "SecurityGroup", "LoadBalancer", "Listener", "TargetGroup", "Firewall",
	"Route", "RouteTable", "IPPool", "IPAddress", "IPAddressClaim", "Bgp", "BGPPeer",
	"Mesh", "MeshPolicy", "Sidecar", "Telemetry", "EnvoyFilter", "WasmPlugin",
	"AuthorizationPolicy", "PeerAuthentication", "RequestAuthentication", "Frontend",
	"Backend", "Stack", "Hub", "Spoke", "Wallet", "Ledger", "Batch", "Match", "Patch",
	"Watch", "Branch", "Search", "Class", "Process", "Access", "Egress", "Prefix",
	"Matrix", "Vertex", "Appendix", "Thesis", "Basis", "Crisis", "Diagnosis",
	"Metadatum", "Medium", "Stadium", "Curriculum", "Formula", "Agenda", "Quota",
	"Tooth", "Foot", "Goose", "Man", "Woman", "Human", "Louse", "Die", "Ox", "Axis",
	"Octopus", "Focus", "Radius", "Nucleus", "Corpus", "Genus", "Syllabus", "Campus",
	"Virus", "Bonus", "Census", "Chassis", "Fish", "Deer", "Moose", "Aircraft",
	"Equipment", "Information", "Money", "News", "Rice", "Wolf", "Shelf", "Half", "Life",
	"Wife", "Thief", "Dwarf", "Hoof", "Roof", "Chief", "Belief", "Safe", "Cafe", "Move",
	"Movie", "Cookie", "Shoe", "Toe", "Id", "ID", "Uuid", "Json", "Html", "Api", "Ssh",
	"Http", "Https", "Ids", "Ips", "Bss", "Des", "Ess", "Fcs", "Pots", "Ok", "Tls", "Vpn",
	"Url", "Uri", "Pod2", "V1Beta", "Thing3d", "Solo", "Halo", "Silo", "Piano", "Radio",
	"Studio", "Scenario", "Portfolio", "Tornado", "Cargo", "Repo", "Memo", "Demo", "Logo",
	"Zero", "Volcano", "Mango", "Buffalo", "Domino", "Embargo", "Torpedo",
}

// Extra inputs for -raw only: case, acronyms, separators.
var rawOnly = []string{
	"", " ", "Car", "GoodBoy", "GoodChild", "node_child", "SmartPerson", "great_person",
	"salesperson", "custom_field", "funky jeans", "payment_information", "sportsEquipment",
	"status_code", "user_custom_field", "SuperbOx", "WildOx", "wild_ox", "widget_uuid",
	"WidgetUUID", "widgetUUID", "widgetUuid", "widget_UUID", "ID", "IDS", "API", "HTML",
	"FYI", "LAN", "SSH", "EIA", "DNS", "HTTPS", "AES", "Person", "PERSON", "Ox", "OX",
	"SHEEP", "Sheep", "my-dns", "my_dns", "my-DNS", "dns-record", "foo-", "foo_", "-foo",
	"foo.bar", "foo+", "foo+bar", "foo bar", "foo/bar", "foo:bar", "HTTPProxy", "IPSet",
	"URLMap", "JSONSchema", "SQLDatabase", "cronJob", "cron-job", "cron_job", "CRONJOB",
	"Status", "STATUS", "Index", "INDEX", "Matrix", "MATRIX", "GoodIndex", "BigMatrix",
	"ClusterPolicy", "NetworkPolicy", "DataSeries", "FooSheep", "FooMouse", "FooPerson",
	"FooChild", "Fooperson", "FOOPerson", "FooID", "FooIDs", "FooId", "fooID", "IDFoo",
	"S", "s", "Bus", "BUS", "Gas", "GAS", "Boss", "BOSS", "X", "Y", "y", "x", "o", "O",
	"Pod2", "Pod2Template", "v1", "V1", "2man", "3Man", "Ümlaut", "café", "naïve",
	"Mice", "People", "Children", "Data", "Criteria", "Indices", "Media", "Oxen", "Feet",
}

func main() {
	raw := flag.Bool("raw", false, "print flect.Pluralize(word) for the mixed-case list")
	flag.Parse()

	version := "unknown"
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "github.com/gobuffalo/flect" {
				version = dep.Version
			}
		}
	}

	seen := map[string]bool{}
	out := os.Stdout
	if *raw {
		fmt.Fprintf(out, "# word<TAB>flect.Pluralize(word) with github.com/gobuffalo/flect %s (the version kubebuilder v4 pins); generated by `go run . -raw > ../plurals-raw.tsv` in crates/krb-scaffold/tests/data/plurals-gen\n", version)
		for _, list := range [][]string{rawOnly, kinds, suffixRules, dictionary} {
			for _, w := range list {
				if seen[w] {
					continue
				}
				seen[w] = true
				fmt.Fprintf(out, "%s\t%s\n", w, flect.Pluralize(w))
			}
		}
		return
	}
	fmt.Fprintf(out, "# kind<TAB>flect.Pluralize(strings.ToLower(kind)) (kubebuilder's resource.RegularPlural) with github.com/gobuffalo/flect %s (the version kubebuilder v4 pins); generated by `go run . > ../plurals.tsv` in crates/krb-scaffold/tests/data/plurals-gen\n", version)
	for _, list := range [][]string{kinds, suffixRules, dictionary} {
		for _, w := range list {
			lw := strings.ToLower(w)
			if seen[lw] {
				continue
			}
			seen[lw] = true
			fmt.Fprintf(out, "%s\t%s\n", w, flect.Pluralize(lw))
		}
	}
}
