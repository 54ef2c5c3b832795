package hsds

// importStage, when set (a build with -tags importprof), is called at each
// stage of an import (read, mapped, written…) to measure what it holds.
var importStage = func(string) {}
