package hsds

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Language names → ISO 639 codes, for the packages (HSDS 1.x above all)
// that name a language instead of coding it.
//
// A name is read, in any case and with or without its accents, as:
//  1. one of importLanguageAliases below (the usual variants directories
//     write that CLDR does not name);
//  2. the English name CLDR gives an ISO 639 language (golang.org/x/text's
//     display.English), or its name in itself (display.Self: "español",
//     "français", "tiếng việt"); a two-letter ISO 639-1 code wins over a
//     three-letter one naming the same language;
//  3. an ISO 639 code itself (en, spa, ase), written as its shortest code.
//
// A trailing parenthesis ("Portuguese (Brazil)") is dropped when the whole
// does not read. Anything else is no code: the caller keeps the name as
// text with a warning, never drops it.

// importLanguageAliases are the names directories use that CLDR does not
// give, or gives to another code.
var importLanguageAliases = map[string]string{
	// Haitian Creole: US directories write "Creole" alone for it.
	"creole": "ht", "haitian creole": "ht", "haitian": "ht", "kreyol": "ht", "kreyol ayisyen": "ht",
	"haitian-creole": "ht", "creole (haitian)": "ht",
	"farsi": "fa", "persian (farsi)": "fa",
	// Spoken Chinese: Mandarin and Cantonese are both coded zh, the code
	// families and the API filter by (cmn and yue exist, but a family
	// asking for Chinese asks for zh); the name given stays with the row.
	"mandarin": "zh", "cantonese": "zh", "mandarin chinese": "zh", "cantonese chinese": "zh",
	"chinese (mandarin)": "zh", "chinese (cantonese)": "zh", "chinese mandarin": "zh", "chinese cantonese": "zh",
	"tagalog": "tl", "filipino": "fil",
	// Sign languages: ASL is American Sign Language (ISO 639-3 ase), not
	// the code asl (Asilulu).
	"asl": "ase", "american sign language": "ase", "american sign language (asl)": "ase",
	"sign language": "sgn", "sign language (asl)": "ase",
	"hmong": "hmn", "punjabi": "pa", "panjabi": "pa", "pashto": "ps", "pushto": "ps",
	"burmese": "my", "dari": "prs", "cape verdean creole": "kea", "cape verdean": "kea",
	"brazilian portuguese": "pt", "portuguese (brazilian)": "pt",
	"ingles":         "en", // Spanish for English, as Miami directories write it
	"serbo-croatian": "sh", "swahili": "sw", "kiswahili": "sw",
}

var (
	importLanguageNamesOnce sync.Once
	importLanguageIndex     map[string]string // folded name → code
)

// foldLanguageName is a name as the index keys it: lower case, accents
// removed, inner spaces single.
func foldLanguageName(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	if f, _, err := transform.String(t, s); err == nil {
		s = f
	}
	return strings.Join(strings.Fields(strings.ToLower(s)), " ")
}

func importLoadLanguageNames() {
	importLanguageIndex = map[string]string{}
	add := func(name, code string) {
		if name == "" {
			return
		}
		k := foldLanguageName(name)
		if _, dup := importLanguageIndex[k]; !dup {
			importLanguageIndex[k] = code
		}
	}
	english := display.English.Languages()
	letters := "abcdefghijklmnopqrstuvwxyz"
	// Two-letter codes first, so "Spanish" is es, not spa.
	var codes []string
	for _, a := range letters {
		for _, b := range letters {
			codes = append(codes, string(a)+string(b))
		}
	}
	for _, a := range letters {
		for _, b := range letters {
			for _, c := range letters {
				codes = append(codes, string(a)+string(b)+string(c))
			}
		}
	}
	for _, c := range codes {
		base, err := language.ParseBase(c)
		if err != nil || base.String() != c {
			continue // not a code, or another spelling of a shorter one
		}
		tag := language.Make(c)
		add(english.Name(tag), c)
		add(display.Self.Name(tag), c)
	}
}

// LanguageCode reads a language's name (or code) as its ISO 639 code, as
// described above; ok is false when the name reads as no language.
func LanguageCode(name string) (code string, ok bool) {
	k := foldLanguageName(name)
	if k == "" {
		return "", false
	}
	if c, ok := importLanguageAliases[k]; ok {
		return c, true
	}
	importLanguageNamesOnce.Do(importLoadLanguageNames)
	if c, ok := importLanguageIndex[k]; ok {
		return c, true
	}
	if len(k) == 2 || len(k) == 3 {
		// A code as written, only when CLDR names the language: ParseBase
		// takes any well-formed two or three letters ("yes", "tbd", "all"),
		// and und, mul and zxx say no language at all.
		if base, err := language.ParseBase(k); err == nil {
			c := base.String()
			if c != "und" && c != "mul" && c != "zxx" && display.English.Languages().Name(language.Make(c)) != "" {
				return c, true
			}
		}
	}
	if i := strings.Index(k, "("); i > 0 {
		return LanguageCode(k[:i])
	}
	return "", false
}

// splitLanguageNames splits a cell naming several languages ("en, es",
// "English/Spanish", "English and Spanish") into its names.
func splitLanguageNames(s string) []string {
	s = strings.NewReplacer(";", ",", "/", ",", "|", ",", " and ", ",", " & ", ",").Replace(s)
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// importLanguageWord matches a word of a phrase: letters, perhaps joined
// by a hyphen or an apostrophe ("Haitian-Creole").
var importLanguageWord = regexp.MustCompile(`\pL+(?:[-'’]\pL+)*`)

// importPhraseFillers are the words that join the names of a phrase and
// say nothing of their own ("English and Spanish").
var importPhraseFillers = map[string]bool{"and": true, "or": true, "also": true, "plus": true}

// importPhraseNotNames are words CLDR gives a language that a phrase
// uses as English words.
var importPhraseNotNames = map[string]bool{"creek": true, "slave": true}

// phraseLanguageCode reads one to four words of a phrase as a language's
// name: an alias, or a CLDR name of four letters or more (shorter ones,
// and codes, are English words too often: "in", "is", "Ga").
func phraseLanguageCode(words string) (string, bool) {
	k := foldLanguageName(words)
	if c, ok := importLanguageAliases[k]; ok {
		return c, true
	}
	if len(k) < 4 || importPhraseNotNames[k] {
		return "", false
	}
	importLanguageNamesOnce.Do(importLoadLanguageNames)
	c, ok := importLanguageIndex[k]
	return c, ok
}

// languagePhrase reads the languages a phrase names ("and Spanish",
// "English/Spanish", "Creole translator provided", "Spanish\n\nGroup
// Counseling: English"): their codes, in the phrase's order without
// repeats, the name of each as written, and whether the phrase says more
// than the names (other words than "and", "or"). No codes when it names
// none ("translators available").
func languagePhrase(phrase string) (codes, names []string, more bool) {
	s := strings.ReplaceAll(phrase, `\n`, "\n") // a newline some exports write escaped
	words := importLanguageWord.FindAllString(s, -1)
	for i := 0; i < len(words); {
		n := min(4, len(words)-i)
		for ; n > 0; n-- {
			if code, ok := phraseLanguageCode(strings.Join(words[i:i+n], " ")); ok {
				if !slices.Contains(codes, code) {
					codes = append(codes, code)
					names = append(names, strings.Join(words[i:i+n], " "))
				}
				break
			}
		}
		if n == 0 {
			if !importPhraseFillers[strings.ToLower(words[i])] {
				more = true
			}
			n = 1
		}
		i += n
	}
	return codes, names, more
}
