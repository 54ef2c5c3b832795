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
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.snap == nil {
		return IndexStats{}
	}
	return IndexStats{Records: len(m.snap.entries), BuiltAt: m.builtAt, Build: m.buildTime}
}
