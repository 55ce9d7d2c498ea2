# Fails when model code or sampling code includes a compute backend's header. Both are
# written once against the backend interface (native/src/core/backend.h); a backend header
# in them would weld them to that backend again. Run as: cmake -DSRC=<native/src> -P <this>
# (the build runs it before compiling model/ and sample/; ctest runs it as
# architecture.model_sees_no_backend).
if(NOT SRC OR NOT IS_DIRECTORY "${SRC}/model")
  message(FATAL_ERROR "SRC must name native/src (got '${SRC}')")
endif()

set(backend_areas cpu vulkan cuda metal)
set(checked_areas model sample)
set(violations "")
set(files_checked 0)
foreach(area ${checked_areas})
  file(GLOB_RECURSE sources "${SRC}/${area}/*.h" "${SRC}/${area}/*.cpp" "${SRC}/${area}/*.inc")
  foreach(file ${sources})
    math(EXPR files_checked "${files_checked} + 1")
    file(STRINGS "${file}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*[\"<]")
    foreach(line ${includes})
      foreach(backend ${backend_areas})
        if(line MATCHES "[\"<]${backend}/")
          file(RELATIVE_PATH rel "${SRC}" "${file}")
          list(APPEND violations "${rel}: ${line}")
        endif()
      endforeach()
    endforeach()
  endforeach()
endforeach()

if(files_checked EQUAL 0)
  message(FATAL_ERROR "no model or sample sources found under ${SRC}")
endif()
if(violations)
  list(JOIN violations "\n  " text)
  message(FATAL_ERROR "model/sample code includes a backend header (use core/backend.h):\n  ${text}")
endif()
# Quiet on success: the build runs this every time.
