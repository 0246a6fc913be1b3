# ganglion_add_plugin(<name> SOURCES <files...>)
# Builds a ganglion plugin: a MODULE library named libganglion_<name>.so, with hidden symbols
# except its one entry point, against the ganglion plugin headers. Used for the built-in plugins
# and, through find_package(ganglion), for plugins built out of tree.
function(ganglion_add_plugin name)
  cmake_parse_arguments(ARG "" "OUTPUT_DIRECTORY" "SOURCES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "ganglion_add_plugin(${name}): give the plugin's SOURCES")
  endif()
  set(target ganglion_${name})
  add_library(${target} MODULE ${ARG_SOURCES})
  if(TARGET ganglion::headers)
    target_link_libraries(${target} PRIVATE ganglion::headers)
  else()
    target_link_libraries(${target} PRIVATE ganglion_headers)
  endif()
  target_compile_features(${target} PRIVATE cxx_std_20)
  # No fused multiply-add behind the code's back: the vector versions GANGLION_SIMD builds then
  # give the same results as the baseline (see ganglion/simd.hpp).
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANG_AND_ID:CXX,GNU,Clang>:-ffp-contract=off>)
  set_target_properties(${target} PROPERTIES
    PREFIX "lib"
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(ARG_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIRECTORY})
  endif()
endfunction()
