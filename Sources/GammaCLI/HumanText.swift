/// Human sizes: 1234567 → "1.2 MB".
public func formatBytes(_ n: Int64) -> String {
    let units = ["B", "KB", "MB", "GB", "TB"]
    var value = Double(n)
    var unit = 0
    while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
    if unit == 0 { return "\(n) B" }
    let tenths = (value * 10).rounded() / 10
    return "\(tenths) \(units[unit])"
}
