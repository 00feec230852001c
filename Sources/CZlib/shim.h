#ifndef LEADLINE_CZLIB_SHIM_H
#define LEADLINE_CZLIB_SHIM_H
// zlib, as shipped by the system (Debian: zlib1g-dev): its CRC-32 checks journal
// lines and snapshots.
#if !__has_include(<zlib.h>)
#error "zlib's header is missing: install it (Debian and Ubuntu: apt install zlib1g-dev), then build again"
#endif
#include <zlib.h>
#endif
