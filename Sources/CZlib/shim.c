// The wrappers are static inline in include/CZlib.h; SwiftPM needs one source file per C target.
#include "CZlib.h"
