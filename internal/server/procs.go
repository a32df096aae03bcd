package server

import "runtime"

// Procs is the GOMAXPROCS that serves cfg's storage best: on SQLite, one
// more than the runtime's default.
//
// Every SQLite commit waits for an fsync of the write-ahead log, half a
// millisecond or so. A goroutine in a system call keeps its P (the runtime's
// licence to run Go code on a core) until the runtime's monitor hands the P
// to another thread, and the monitor, which backs off to look every 10 ms
// when it has nothing to do, seldom sees so short a call: the core idles
// while the commit waits, though sign-ins queue for it. SQLite has one
// writer, so one P more than cores is enough for the others to run meanwhile.
// On PostgreSQL the database's own processes wait for its disk.
func Procs(cfg Config) int {
	procs := runtime.GOMAXPROCS(0)
	if cfg.DatabaseURL == "" {
		procs++
	}
	return procs
}
