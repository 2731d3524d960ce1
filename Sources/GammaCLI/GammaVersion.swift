/// The version every executable prints for `--version`: the package's release, and the log
/// format and record schema it writes (docs/FORMAT.md).
public enum GammaVersion {
    public static let release = "0.9.0"
    public static let text = "\(release) (log member header v2, record schema v1)"
}
