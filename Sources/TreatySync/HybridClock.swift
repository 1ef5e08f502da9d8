/// Hybrid logical clock stamps: milliseconds since 1970 in the high 48 bits, a counter in the low 16.
///
/// A stamp made after seeing another is always greater than it, whatever the wall clocks say, and stays
/// close to wall time; ties between offices are broken by office id. A receiver holds change sets stamped
/// further ahead of its own wall clock than it accepts (``TreatyStore``'s `maxClockSkew`), so a stamp seen can
/// only run as far ahead as that; the arithmetic here still saturates, so no stamp, however forged, traps.
public enum HybridClock {
    /// The stamp for a new local change: after both the wall clock and every stamp seen so far (equal to the
    /// last at the very top of the range, where nothing is greater).
    public static func next(after last: UInt64, wallMilliseconds: Int64) -> UInt64 {
        max(stamp(milliseconds: wallMilliseconds), last == .max ? last : last + 1)
    }

    /// The first stamp of a wall-clock millisecond (0 before 1970, the top of the range past year 10889).
    public static func stamp(milliseconds: Int64) -> UInt64 {
        let ms = UInt64(max(milliseconds, 0))
        return ms >= 1 << 48 ? .max : ms << 16
    }

    /// The milliseconds since 1970 a stamp was made at.
    public static func milliseconds(_ stamp: UInt64) -> Int64 { Int64(stamp >> 16) }
}
