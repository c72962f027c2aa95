#pragma once
// The series vocabulary lives in core/models (the time-series models read it, and models sit
// below the families); this name stays so the family's code reads as before.
#include "core/models/series_interpolation.h"
