// The module is header-only (CTLS.h); SwiftPM wants a source file in a C target.
