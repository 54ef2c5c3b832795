package hsds

import "testing"

func TestLanguageCode(t *testing.T) {
	cases := []struct {
		name, want string
	}{
		{"Creole", "ht"}, {"haitian creole", "ht"}, {"Kreyòl", "ht"}, {"HAITIAN CREOLE", "ht"},
		{"Spanish", "es"}, {"español", "es"}, {"Espanol", "es"}, {"spa", "es"}, {"EN", "en"},
		{"ASL", "ase"}, {"American Sign Language", "ase"}, {"Farsi", "fa"}, {"Persian", "fa"},
		{"Mandarin", "zh"}, {"Cantonese", "zh"}, {"Chinese", "zh"}, {"Tagalog", "tl"}, {"Filipino", "fil"},
		{"Vietnamese", "vi"}, {"Tiếng Việt", "vi"}, {"français", "fr"}, {"Russian", "ru"}, {"русский", "ru"},
		{"Portuguese (Brazil)", "pt"}, {"  arabic ", "ar"}, {"Somali", "so"}, {"Hmong", "hmn"},
		{"Unknownish", ""}, {"", ""}, {"Other", ""}, {"Yes", ""}, {"TBD", ""}, {"All", ""}, {"und", ""}, {"ase", "ase"},
	}
	for _, c := range cases {
		got, ok := LanguageCode(c.name)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("LanguageCode(%q) = %q, %v; want %q", c.name, got, ok, c.want)
		}
	}
}
