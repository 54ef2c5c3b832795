package match

import "time"

// IndexStats says what the in-memory index holds, for an operator's
// metrics: the services it holds, when it was last built and how long that
// took, and the bytes it holds (Bytes: see snapshot.bytes, an estimate of
// its arrays, maps, bitsets and the rows it keeps, each shared value once);
// all zero before the first match builds it.
type IndexStats struct {
	Records int
	BuiltAt time.Time
	Build   time.Duration
	Bytes   int64
}

// IndexStats reads the index's numbers without building it or touching the
// database.
// The first call after a build works out the bytes (a pass over the index,
// tens of milliseconds at national size).
func (m *Matcher) IndexStats() IndexStats {
	st := m.stats.Load()
	if st == nil {
		return IndexStats{}
	}
	out := st.IndexStats
	st.snap.size.once.Do(func() { st.snap.size.bytes = st.snap.bytes() })
	out.Bytes = st.snap.size.bytes
	return out
}

// indexStats are the numbers of one snapshot, with the snapshot (for its
// bytes).
type indexStats struct {
	IndexStats
	snap *snapshot
}
