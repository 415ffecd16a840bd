//! A Rust port of the English pluralizer of [gobuffalo/flect] v1.0.3, the version kubebuilder
//! v4 pins, so that `krb` computes the same default resource plural as kubebuilder
//! (`flect.Pluralize(strings.ToLower(kind))`).
//!
//! The behaviour, quirks included, is pinned by `tests/naming.rs` against tables printed by the
//! real Go library (`tests/data/plurals.tsv`, `tests/data/plurals-raw.tsv`).
//!
//! The word tables below are data taken from flect (MIT License, Copyright (c) 2019 Mark
//! Bates); the code is ours.
//!
//! How flect pluralizes, in the order it tries things:
//! 1. Split the input into parts at separators (`_`, space, `:`, `-`, `/`, whitespace),
//!    lower-to-upper case changes, known acronyms, and characters that are neither letters,
//!    digits nor punctuation. Parts that are known acronyms become uppercase. Only the last
//!    part is inflected; the rest of the input is kept.
//! 2. Look the whole input, then the lowercased last part, up in the dictionary of irregular
//!    and uncountable words (a known plural is returned unchanged).
//! 3. Try the suffix rules in priority order. Each rule either replaces a singular suffix
//!    (`y` -> `ies`) or keeps a word that already ends in the plural form (`ies`).
//! 4. Otherwise keep words ending in `s` and append `s` to the rest.
//!
//! A flect quirk we keep: when the last part is an acronym ending in `S` (`dns`, `https`),
//! step 3 replaces an uppercase suffix that the input does not literally end with, so
//! `pluralize("dns")` is `"dnsDNSes"`. kubebuilder rejects that plural (not a DNS-1035 label)
//! and the user has to pass `--plural`; so does krb.
//!
//! [gobuffalo/flect]: https://github.com/gobuffalo/flect

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// One dictionary entry of flect.
struct Word {
    singular: &'static str,
    /// Empty for uncountable words: the plural is the singular.
    plural: &'static str,
    alternative: Option<&'static str>,
    /// The plural does not map back to this singular (kept out of the plural lookup).
    unidirectional: bool,
    /// Only the whole word matches; no suffix rule is derived from it.
    exact: bool,
}

const fn w(singular: &'static str, plural: &'static str) -> Word {
    Word {
        singular,
        plural,
        alternative: None,
        unidirectional: false,
        exact: false,
    }
}

const fn alt(singular: &'static str, plural: &'static str, alternative: &'static str) -> Word {
    Word {
        alternative: Some(alternative),
        ..w(singular, plural)
    }
}

const fn uni(singular: &'static str, plural: &'static str) -> Word {
    Word {
        unidirectional: true,
        ..w(singular, plural)
    }
}

const fn exact(singular: &'static str, plural: &'static str) -> Word {
    Word {
        exact: true,
        ..w(singular, plural)
    }
}

const fn uncountable(word: &'static str) -> Word {
    w(word, "")
}

/// flect's `dictionary`, in its order (the order decides rule priority).
const DICTIONARY: &[Word] = &[
    w("aircraft", "aircraft"),
    alt("beef", "beef", "beefs"),
    w("bison", "bison"),
    uni("blues", "blues"),
    w("chassis", "chassis"),
    w("deer", "deer"),
    alt("fish", "fish", "fishes"),
    w("moose", "moose"),
    w("police", "police"),
    alt("salmon", "salmon", "salmons"),
    w("series", "series"),
    w("sheep", "sheep"),
    alt("shrimp", "shrimp", "shrimps"),
    w("species", "species"),
    alt("swine", "swine", "swines"),
    alt("trout", "trout", "trouts"),
    alt("tuna", "tuna", "tunas"),
    w("you", "you"),
    w("child", "children"),
    exact("ox", "oxen"),
    w("foot", "feet"),
    w("goose", "geese"),
    w("man", "men"),
    w("human", "humans"),
    exact("louse", "lice"),
    w("mouse", "mice"),
    w("tooth", "teeth"),
    w("woman", "women"),
    exact("die", "dice"),
    w("person", "people"),
    alt("adieu", "adieux", "adieus"),
    w("fabliau", "fabliaux"),
    alt("bureau", "bureaus", "bureaux"),
    w("criterion", "criteria"),
    alt("ganglion", "ganglia", "ganglions"),
    alt("lexicon", "lexica", "lexicons"),
    alt("mitochondrion", "mitochondria", "mitochondrions"),
    w("noumenon", "noumena"),
    w("phenomenon", "phenomena"),
    w("taxon", "taxa"),
    w("media", "media"),
    Word {
        alternative: Some("mediums"),
        ..uni("medium", "media")
    },
    alt("stadium", "stadiums", "stadia"),
    alt("aquarium", "aquaria", "aquariums"),
    alt("auditorium", "auditoria", "auditoriums"),
    alt("symposium", "symposia", "symposiums"),
    alt("curriculum", "curriculums", "curricula"),
    w("quota", "quotas"),
    alt("alumnus", "alumni", "alumnuses"),
    w("bacillus", "bacilli"),
    alt("cactus", "cacti", "cactuses"),
    w("coccus", "cocci"),
    alt("focus", "foci", "focuses"),
    alt("locus", "loci", "locuses"),
    alt("nucleus", "nuclei", "nucleuses"),
    alt("octopus", "octupuses", "octopi"),
    alt("radius", "radii", "radiuses"),
    w("syllabus", "syllabi"),
    alt("corpus", "corpora", "corpuses"),
    w("genus", "genera"),
    w("alumna", "alumnae"),
    w("vertebra", "vertebrae"),
    w("differentia", "differentiae"),
    w("minutia", "minutiae"),
    w("vita", "vitae"),
    w("larva", "larvae"),
    w("postcava", "postcavae"),
    w("praecava", "praecavae"),
    w("uva", "uvae"),
    alt("apex", "apices", "apexes"),
    alt("codex", "codices", "codexes"),
    alt("index", "indices", "indexes"),
    alt("latex", "latices", "latexes"),
    alt("vertex", "vertices", "vertexes"),
    alt("vortex", "vortices", "vortexes"),
    alt("appendix", "appendices", "appendixes"),
    alt("radix", "radices", "radixes"),
    alt("helix", "helices", "helixes"),
    exact("axis", "axes"),
    w("crisis", "crises"),
    uni("ellipsis", "ellipses"),
    w("genesis", "geneses"),
    w("oasis", "oases"),
    w("thesis", "theses"),
    w("testis", "testes"),
    w("base", "bases"),
    uni("basis", "bases"),
    exact("alias", "aliases"),
    w("vedalia", "vedalias"),
    exact("use", "uses"),
    w("abuse", "abuses"),
    w("cause", "causes"),
    w("clause", "clauses"),
    w("cruse", "cruses"),
    w("excuse", "excuses"),
    w("fuse", "fuses"),
    w("house", "houses"),
    w("misuse", "misuses"),
    w("muse", "muses"),
    w("pause", "pauses"),
    w("ache", "aches"),
    w("topaz", "topazes"),
    alt("buffalo", "buffaloes", "buffalos"),
    w("potato", "potatoes"),
    w("tomato", "tomatoes"),
    uncountable("equipment"),
    uncountable("information"),
    uncountable("jeans"),
    uncountable("money"),
    uncountable("news"),
    uncountable("rice"),
    alt("dwarf", "dwarfs", "dwarves"),
    alt("hoof", "hoofs", "hooves"),
    w("thief", "thieves"),
    w("chive", "chives"),
    w("hive", "hives"),
    w("move", "moves"),
    w("movie", "movies"),
    w("cookie", "cookies"),
    w("pretorium", "pretoriums"),
    w("agenda", "agendas"),
    alt("formula", "formulas", "formulae"),
    w("shoe", "shoes"),
    exact("toe", "toes"),
    w("graffiti", "graffiti"),
    exact("ID", "IDs"),
];

/// flect's `singularToPluralSuffixList`: (singular suffix, plural suffix), highest priority
/// first. (The `-ula` entries all map to `bulae` in flect; kept as is.)
const SUFFIXES: &[(&str, &str)] = &[
    ("tive", "tives"),
    ("eaf", "eaves"),
    ("oaf", "oaves"),
    ("afe", "aves"),
    ("arf", "arves"),
    ("rfe", "rves"),
    ("rf", "rves"),
    ("lf", "lves"),
    ("fe", "ves"),
    ("ay", "ays"),
    ("ey", "eys"),
    ("oy", "oys"),
    ("quy", "quies"),
    ("uy", "uys"),
    ("y", "ies"),
    ("eau", "eaux"),
    ("bula", "bulae"),
    ("dula", "bulae"),
    ("lula", "bulae"),
    ("nula", "bulae"),
    ("vula", "bulae"),
    ("hedron", "hedra"),
    ("ium", "ia"),
    ("seum", "seums"),
    ("eum", "ea"),
    ("oum", "oa"),
    ("stracum", "straca"),
    ("dum", "da"),
    ("elum", "ela"),
    ("ilum", "ila"),
    ("olum", "ola"),
    ("ulum", "ula"),
    ("llum", "lla"),
    ("ylum", "yla"),
    ("imum", "ima"),
    ("ernum", "erna"),
    ("gnum", "gna"),
    ("brum", "bra"),
    ("crum", "cra"),
    ("terum", "tera"),
    ("serum", "sera"),
    ("trum", "tra"),
    ("antum", "anta"),
    ("atum", "ata"),
    ("entum", "enta"),
    ("etum", "eta"),
    ("itum", "ita"),
    ("otum", "ota"),
    ("utum", "uta"),
    ("ctum", "cta"),
    ("ovum", "ova"),
    ("trix", "trices"),
    ("iasis", "iases"),
    ("mesis", "meses"),
    ("kinesis", "kineses"),
    ("resis", "reses"),
    ("gnosis", "gnoses"),
    ("opsis", "opses"),
    ("ysis", "yses"),
    ("ouse", "ouses"),
    ("lause", "lauses"),
    ("us", "uses"),
    ("ch", "ches"),
    ("io", "ios"),
    ("sh", "shes"),
    ("ss", "sses"),
    ("ez", "ezzes"),
    ("iz", "izzes"),
    ("tz", "tzes"),
    ("zz", "zzes"),
    ("ano", "anos"),
    ("lo", "los"),
    ("to", "tos"),
    ("oo", "oos"),
    ("o", "oes"),
    ("x", "xes"),
    ("S", "Ses"),
];

/// flect's `baseAcronyms`.
const ACRONYMS: &[&str] = &[
    "OK", "UTF8", "HTML", "JSON", "JWT", "ID", "UUID", "SQL", "ACK", "ACL", "ADSL", "AES", "ANSI",
    "API", "ARP", "ATM", "BGP", "BSS", "CCITT", "CHAP", "CIDR", "CIR", "CLI", "CPE", "CPU", "CRC",
    "CRT", "CSMA", "CMOS", "DCE", "DEC", "DES", "DHCP", "DNS", "DRAM", "DSL", "DSLAM", "DTE",
    "DMI", "EHA", "EIA", "EIGRP", "EOF", "ESS", "FCC", "FCS", "FDDI", "FTP", "GBIC", "GEPOF",
    "HDLC", "HTTP", "HTTPS", "IANA", "ICMP", "IDF", "IDS", "IEEE", "IETF", "IMAP", "IP", "IPS",
    "ISDN", "ISP", "LACP", "LAN", "LAPB", "LAPF", "LLC", "MAC", "MC", "MDF", "MIB", "MPLS", "MTU",
    "NAC", "NAT", "NBMA", "NIC", "NRZ", "NRZI", "NVRAM", "OSI", "OSPF", "OUI", "PAP", "PAT", "PC",
    "PIM", "PCM", "PDU", "POP3", "POTS", "PPP", "PPTP", "PTT", "PVST", "RAM", "RARP", "RFC", "RIP",
    "RLL", "ROM", "RSTP", "RTP", "RCP", "SDLC", "SFD", "SFP", "SLARP", "SLIP", "SMTP", "SNA",
    "SNAP", "SNMP", "SOF", "SRAM", "SSH", "SSID", "STP", "SYN", "TDM", "TFTP", "TIA", "TOFU",
    "UDP", "URL", "URI", "USB", "UTP", "VC", "VLAN", "VLSM", "VPN", "W3C", "WAN", "WEP", "WPA",
    "WWW",
];

/// A suffix rule: if the last part ends with `suffix`, the suffix becomes `replacement`.
/// Rules whose replacement equals the suffix keep words already in plural form.
#[derive(Debug)]
struct Rule {
    suffix: &'static str,
    replacement: &'static str,
}

/// Lookup tables, built once the way flect's `init` functions build them.
#[derive(Debug)]
struct Tables {
    singular_to_plural: HashMap<&'static str, &'static str>,
    known_plurals: HashSet<&'static str>,
    rules: Vec<Rule>,
    acronyms: HashSet<&'static str>,
}

static TABLES: LazyLock<Tables> = LazyLock::new(Tables::build);

impl Word {
    fn plural(&self) -> &'static str {
        if self.plural.is_empty() {
            self.singular
        } else {
            self.plural
        }
    }
}

impl Tables {
    fn build() -> Self {
        let mut singular_to_plural = HashMap::new();
        let mut known_plurals = HashSet::new();
        for word in DICTIONARY {
            singular_to_plural.insert(word.singular, word.plural());
            if !word.unidirectional {
                known_plurals.insert(word.plural());
                known_plurals.extend(word.alternative);
            }
        }

        // flect inserts every rule at the front of its list, first the suffix list from the
        // last entry to the first, then the non-exact dictionary words in order; each insert
        // puts the "already plural" rule before the "singular -> plural" rule. Building the
        // list back to front gives the same priority order.
        let mut reversed = Vec::new();
        let mut insert = |singular: &'static str, plural: &'static str| {
            reversed.push(Rule {
                suffix: singular,
                replacement: plural,
            });
            reversed.push(Rule {
                suffix: plural,
                replacement: plural,
            });
        };
        for &(singular, plural) in SUFFIXES.iter().rev() {
            insert(singular, plural);
        }
        for word in DICTIONARY.iter().filter(|w| !w.exact) {
            insert(word.singular, word.plural());
        }
        reversed.reverse();

        Tables {
            singular_to_plural,
            known_plurals,
            rules: reversed,
            acronyms: ACRONYMS.iter().copied().collect(),
        }
    }

    fn is_acronym(&self, s: &str) -> bool {
        self.acronyms.contains(s.to_uppercase().as_str())
    }
}

/// Returns the English plural of `word` exactly as `flect.Pluralize` v1.0.3 does.
///
/// kubebuilder's default plural of a kind is `flect.Pluralize(strings.ToLower(kind))`; use
/// [`regular_plural`](super::regular_plural) for that. Results equal the Go library's for
/// ASCII input (which includes every valid kind). For non-ASCII input the character classes
/// use the nearest Rust equivalents of Go's `unicode` predicates.
///
/// ```
/// use krb_scaffold::naming::pluralize;
/// assert_eq!(pluralize("cronjob"), "cronjobs");
/// assert_eq!(pluralize("networkpolicy"), "networkpolicies");
/// assert_eq!(pluralize("index"), "indices");
/// assert_eq!(pluralize("person"), "people");
/// assert_eq!(pluralize("endpoints"), "endpoints");
/// assert_eq!(pluralize("NetworkPolicy"), "NetworkPolicies");
/// ```
pub fn pluralize(word: &str) -> String {
    let tables = &*TABLES;
    let parts = to_parts(tables, word);
    let Some(last) = parts.last() else {
        return String::new();
    };

    if let Some(plural) = tables.singular_to_plural.get(word) {
        return (*plural).to_string();
    }
    if tables.known_plurals.contains(word) {
        return word.to_string();
    }
    let last_lower = last.to_lowercase();
    if tables.known_plurals.contains(last_lower.as_str()) {
        return word.to_string();
    }
    if let Some(plural) = tables.singular_to_plural.get(last_lower.as_str()) {
        let plural = if *last == capitalize(last) {
            capitalize(plural)
        } else {
            (*plural).to_string()
        };
        return replace_suffix(word, last, &plural);
    }
    for rule in &tables.rules {
        if let Some(stem) = last.strip_suffix(rule.suffix) {
            return replace_suffix(word, last, &format!("{stem}{}", rule.replacement));
        }
    }
    if last_lower.ends_with('s') {
        return word.to_string();
    }
    format!("{word}s")
}

/// flect's `ReplaceSuffix`: drop `old` from the end of `word` if it is there, then append
/// `new` (appended even when `word` does not end with `old`).
fn replace_suffix(word: &str, old: &str, new: &str) -> String {
    let stem = word.strip_suffix(old).unwrap_or(word);
    format!("{stem}{new}")
}

/// Uppercases the first character (flect's `Capitalize` on a single word).
fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Characters flect treats as word separators besides whitespace, in its trim order.
const SEPARATORS: [char; 5] = ['_', ' ', ':', '-', '/'];

fn is_separator(c: char) -> bool {
    SEPARATORS.contains(&c) || c.is_whitespace()
}

/// Go's `unicode.IsPunct` for ASCII; non-ASCII symbols count as punctuation (approximation).
fn is_punct(c: char) -> bool {
    if c.is_ascii() {
        matches!(
            c,
            '!' | '"'
                | '#'
                | '%'
                | '&'
                | '\''
                | '('
                | ')'
                | '*'
                | ','
                | '-'
                | '.'
                | '/'
                | ':'
                | ';'
                | '?'
                | '@'
                | '['
                | '\\'
                | ']'
                | '_'
                | '{'
                | '}'
        )
    } else {
        !c.is_alphanumeric() && !c.is_whitespace() && !c.is_control()
    }
}

/// Splits `s` into words the way flect's `toParts` does.
fn to_parts(tables: &Tables, s: &str) -> Vec<String> {
    let s = s.trim();
    let mut parts = Vec::new();
    if s.is_empty() {
        return parts;
    }
    if tables.is_acronym(s) {
        parts.push(s.to_uppercase());
        return parts;
    }
    let push = |part: &str, parts: &mut Vec<String>| {
        let mut part = part.trim();
        for sep in SEPARATORS {
            part = part.trim_matches(sep);
        }
        if part.is_empty() {
            return;
        }
        parts.push(if tables.is_acronym(part) {
            part.to_uppercase()
        } else {
            part.to_string()
        });
    };

    let mut prev_upper = false;
    let mut current = String::new();
    for c in s.chars() {
        let upper = c.is_uppercase();
        let starts_part =
            is_separator(c) || (upper && !prev_upper) || (upper && tables.is_acronym(&current));
        if starts_part {
            push(&current, &mut parts);
            current.clear();
            current.push(c);
        } else if c.is_alphanumeric() || is_punct(c) || c == '`' {
            current.push(c);
        } else {
            push(&current, &mut parts);
            current.clear();
        }
        prev_upper = upper;
    }
    push(&current, &mut parts);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(s: &str) -> Vec<String> {
        to_parts(&TABLES, s)
    }

    #[test]
    fn splits_like_flect() {
        assert_eq!(parts("CronJob"), ["Cron", "Job"]);
        assert_eq!(parts("HTTPRoute"), ["HTTP", "Route"]);
        assert_eq!(parts("my-dns"), ["my", "DNS"]);
        assert_eq!(parts("dns"), ["DNS"]);
        assert_eq!(parts("foo+bar"), ["foo", "bar"]);
        assert_eq!(parts("  "), Vec::<String>::new());
    }

    #[test]
    fn rules_start_with_the_last_dictionary_word() {
        let rules = &TABLES.rules;
        // graffiti is the last non-exact dictionary word; "tive" is the first suffix rule.
        assert_eq!((rules[0].suffix, rules[1].suffix), ("graffiti", "graffiti"));
        let tive = rules.iter().position(|r| r.suffix == "tive").unwrap();
        assert_eq!(rules[tive - 1].suffix, "tives");
        assert_eq!(rules.last().map(|r| r.suffix), Some("S"));
    }
}
