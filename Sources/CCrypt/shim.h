#ifndef LEADLINE_CCRYPT_SHIM_H
#define LEADLINE_CCRYPT_SHIM_H
// libxcrypt, as shipped by the system (Debian and Ubuntu: apt install libcrypt-dev).
#if !__has_include(<crypt.h>)
#error "libcrypt's header is missing: install it (Debian and Ubuntu: apt install libcrypt-dev), then build again"
#endif
#include <crypt.h>
#endif
