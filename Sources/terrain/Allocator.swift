import Glibc

/// How the `terrain` process asks glibc's malloc for memory, set once before anything runs.
///
/// A statement over a large table allocates buffers of tens of megabytes (a group slot per
/// row, a mask, a result column) and frees them when it ends. By default glibc hands every
/// buffer above 32 MB a fresh mapping and unmaps it on `free`, so each statement pays the
/// kernel's first touch of every page again: at 10M rows that was most of `pivot … by dep`
/// (66 ms of which 39 ms page faults; 27 ms with the buffers reused). Buffers up to 256 MB
/// therefore come from the heap, and up to 512 MB of freed memory stays with the process for
/// the next statement instead of going back to the system, as the allocators of DuckDB and
/// Polars keep theirs. Allocation failures are unchanged: the heap grows or malloc returns
/// nil, which the checked allocations (`MemoryRoom`) turn into errors.
///
/// `TERRAIN_MALLOC=default` keeps glibc's own settings (to compare, or in a tight container);
/// `GLIBC_TUNABLES` set by the user wins, since it is read before this runs and the values are
/// only applied when it is absent.
func configureAllocator() {
  if let choice = getenv("TERRAIN_MALLOC"), String(cString: choice) == "default" { return }
  if let tunables = getenv("GLIBC_TUNABLES"), String(cString: tunables).contains("glibc.malloc.") { return }
  _ = glibcMallopt(mallocMmapThreshold, 256 << 20)
  _ = glibcMallopt(mallocTrimThreshold, 512 << 20)
}

/// glibc's `mallopt` (declared in `<malloc.h>`, which the Glibc module does not export).
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32

/// `M_TRIM_THRESHOLD` and `M_MMAP_THRESHOLD` of `<malloc.h>`.
private let mallocTrimThreshold: Int32 = -1
private let mallocMmapThreshold: Int32 = -3
