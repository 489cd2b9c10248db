// The scans are static inline functions in include/ferry_bytescan.h; SwiftPM needs a
// source file for the target.
#include "ferry_bytescan.h"
