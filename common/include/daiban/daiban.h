/* daiban.h: the umbrella header of libdaiban (CLASS "project header"). */
#pragma once

#include "dbn_auth.h"
#include "dbn_bus.h"
#include "dbn_calendar.h"
#include "dbn_catalog.h"
#include "dbn_clock.h"
#include "dbn_codec.h"
#include "dbn_config.h"
#include "dbn_error.h"
#include "dbn_idnumber.h"
#include "dbn_keys.h"
#include "dbn_log.h"
#include "dbn_msg.h"
#include "dbn_org.h"
#include "dbn_service.h"
#include "dbn_store.h"
#include "dbn_subscriber.h"
