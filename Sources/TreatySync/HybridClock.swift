/// Hybrid logical clock stamps: milliseconds since 1970 in the high 48 bits, a counter in the low 16.
///
/// A stamp made after seeing another is always greater than it, whatever the wall clocks say, and stays
/// close to wall time; ties between offices are broken by office id.
public enum HybridClock {
    /// The stamp for a new local change: after both the wall clock and every stamp seen so far.
    public static func next(after last: UInt64, wallMilliseconds: Int64) -> UInt64 {
        max(UInt64(max(wallMilliseconds, 0)) << 16, last + 1)
    }

    /// The milliseconds since 1970 a stamp was made at.
    public static func milliseconds(_ stamp: UInt64) -> Int64 { Int64(stamp >> 16) }
}
