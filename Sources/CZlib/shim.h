#ifndef LEADLINE_CZLIB_SHIM_H
#define LEADLINE_CZLIB_SHIM_H
// zlib, as shipped by the system (Debian: zlib1g-dev): its CRC-32 checks journal
// lines and snapshots.
#include <zlib.h>
#endif
