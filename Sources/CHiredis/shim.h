#ifndef CASEATTEST_CHIREDIS_SHIM_H
#define CASEATTEST_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#endif
