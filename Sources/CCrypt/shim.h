#ifndef LEADLINE_CCRYPT_SHIM_H
#define LEADLINE_CCRYPT_SHIM_H
// libxcrypt, as shipped by the system (Debian: libcrypt-dev).
#include <crypt.h>
#endif
