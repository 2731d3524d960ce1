/// Paths inside this repository, for tests that run its scripts, samples and executables.
public enum RepositoryPaths {
    /// The repository's root folder (this file is Tests/GammaTestSupport/RepositoryPaths.swift).
    public static let root = String(
        #filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/"))
}
