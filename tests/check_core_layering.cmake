# The include edges allowed between the folders of core/. Dependencies run one way, so a
# folder low in the list never learns of one above it:
#   common                       errors, random streams, files: includes nothing else of core
#   nn                           networks: common only (no solver, model or family)
#   solvers                      steppers, Brownian paths, gradient solvers and the system
#                                interfaces they solve (SdeSystem, DifferentiableSde): common only
#   equations                    typed expressions; implements the solvers' system interfaces
#   stats                        path statistics over simulations
#   models                       neural SDE/ODE and time-series models: implement the
#                                solvers' interfaces, built from nn
#   experiment                   generic run/schema machinery
#   trajectories timeseries diffusion fields landscape
#                                the families: anything below, never another family
# Run as: cmake -DCORE_DIR=<core> -P check_core_layering.cmake
set(families trajectories timeseries diffusion fields landscape)
set(below_families common nn solvers equations stats models experiment)

set(allowed_common "")
set(allowed_nn common)
set(allowed_solvers common)
set(allowed_equations common solvers)
set(allowed_stats common equations solvers)
set(allowed_models common nn equations solvers)
set(allowed_experiment common)
foreach(family IN LISTS families)
  set(allowed_${family} ${below_families})
endforeach()

file(GLOB_RECURSE core_files RELATIVE ${CORE_DIR}
     ${CORE_DIR}/*.h ${CORE_DIR}/*.cpp ${CORE_DIR}/*.in)
set(violations "")
set(checked 0)
foreach(rel IN LISTS core_files)
  string(REGEX MATCH "^[^/]+" folder "${rel}")
  if(folder STREQUAL rel)
    continue()  # a file directly in core/ (none today) belongs to no layer
  endif()
  if(NOT DEFINED allowed_${folder})
    list(APPEND violations "core/${rel}: folder core/${folder} is not in the layering table "
                           "(add it to tests/check_core_layering.cmake)")
    continue()
  endif()
  math(EXPR checked "${checked} + 1")
  file(STRINGS ${CORE_DIR}/${rel} includes REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]core/[^/]+/")
  foreach(line IN LISTS includes)
    string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*[<\"]core/([^/]+)/.*$" "\\1" target "${line}")
    if(target STREQUAL folder)
      continue()
    endif()
    list(FIND allowed_${folder} ${target} at)
    if(at EQUAL -1)
      string(STRIP "${line}" line)
      list(APPEND violations "core/${rel}: core/${folder} may not include core/${target} (${line})")
    endif()
  endforeach()
endforeach()

if(violations)
  list(LENGTH violations count)
  string(REPLACE ";" "\n  " text "${violations}")
  message(FATAL_ERROR "${count} forbidden include edge(s) between core folders:\n  ${text}")
endif()
message(STATUS "core/ layering holds (${checked} files checked)")
