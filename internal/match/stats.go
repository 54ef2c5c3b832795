package match

import "time"

// IndexStats says what the in-memory index holds, for an operator's
// metrics: the services it holds, when it was last built and how long that
// took (all zero before the first match builds it).
type IndexStats struct {
	Records int
	BuiltAt time.Time
	Build   time.Duration
}

// IndexStats reads the index's numbers without building it or touching the
// database.
func (m *Matcher) IndexStats() IndexStats {
	if st := m.stats.Load(); st != nil {
		return *st
	}
	return IndexStats{}
}
