package geo

// ValidZIP reports whether s is a five-digit ZIP code. It checks the format
// only; use LookupZIP to know whether the ZIP exists.
func ValidZIP(s string) bool { return isDigits(s, 5) }

// ValidCountyFIPS reports whether s is a five-digit county FIPS code. It
// checks the format only; use LookupCounty to know whether the county exists.
func ValidCountyFIPS(s string) bool { return isDigits(s, 5) }

// ValidStateCode reports whether s is the upper-case USPS code of a known
// state, DC or territory ("MA", "DC", "PR"; not "ma").
func ValidStateCode(s string) bool {
	if len(s) != 2 {
		return false
	}
	_, ok := data().states[s]
	return ok
}

func isDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < n; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
