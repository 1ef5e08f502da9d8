/// The version of Treaty: what `treaty --version`, `treatyd --version`, `health` and the interface document say.
public enum TreatyVersion {
    public static let current = "0.1.0"
}
