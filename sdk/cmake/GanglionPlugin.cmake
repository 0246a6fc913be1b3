# ganglion_add_plugin(<name> SOURCES <files...> [CUDA_SOURCES <files.cu...>])
# Builds a ganglion plugin: a MODULE library named libganglion_<name>.so, with hidden symbols
# except its one entry point, against the ganglion plugin headers. Used for the built-in plugins
# and, through find_package(ganglion), for plugins built out of tree.
#
# With CUDA_SOURCES, where the project has enabled CUDA (enable_language(CUDA)), it also builds the
# plugin's CUDA companion, libganglion_<name>_cuda.so, beside it, from those sources (their
# GANGLION_CUDA_PLUGIN(Type) is its entry point), and tells the plugin library its file name, so
# that the plugin offers the 'cuda' backend. The plugin library itself never links CUDA. Where
# CUDA is not enabled, the plugin is built without its CUDA part, and says so.
function(ganglion_add_plugin name)
  cmake_parse_arguments(ARG "" "OUTPUT_DIRECTORY" "SOURCES;CUDA_SOURCES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "ganglion_add_plugin(${name}): give the plugin's SOURCES")
  endif()
  set(target ganglion_${name})
  add_library(${target} MODULE ${ARG_SOURCES})
  _ganglion_plugin_common(${target} "${ARG_OUTPUT_DIRECTORY}")
  target_compile_features(${target} PRIVATE cxx_std_20)
  # No fused multiply-add behind the code's back: the vector versions GANGLION_SIMD builds then
  # give the same results as the baseline (see ganglion/simd.hpp).
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANG_AND_ID:CXX,GNU,Clang>:-ffp-contract=off>)
  set_target_properties(${target} PROPERTIES CXX_VISIBILITY_PRESET hidden)
  if(NOT ARG_CUDA_SOURCES)
    return()
  endif()
  get_property(languages GLOBAL PROPERTY ENABLED_LANGUAGES)
  if(NOT "CUDA" IN_LIST languages)
    message(STATUS "ganglion_add_plugin(${name}): CUDA is not enabled in this project; "
                   "building the plugin without its 'cuda' backend")
    return()
  endif()
  find_package(CUDAToolkit REQUIRED)
  set(companion ganglion_${name}_cuda)
  add_library(${companion} MODULE ${ARG_CUDA_SOURCES})
  _ganglion_plugin_common(${companion} "${ARG_OUTPUT_DIRECTORY}")
  # The shared runtime: the device engine and every companion then share one CUDA runtime state
  # in the process (streams, events and device pointers made by one are valid in the others).
  target_link_libraries(${companion} PRIVATE CUDA::cudart)
  # C++20 as the plugin (spelled out: CMake 3.25 does not know nvcc 13's flag for it); no fused
  # multiply-add on the device either, so element code gives the host's bits; constexpr host
  # functions (std::bit_cast) callable from device code.
  target_compile_options(${companion} PRIVATE
    $<$<COMPILE_LANGUAGE:CUDA>:-std=c++20 -fmad=false --expt-relaxed-constexpr>)
  set_target_properties(${companion} PROPERTIES
    CUDA_VISIBILITY_PRESET hidden
    CUDA_ARCHITECTURES "${CMAKE_CUDA_ARCHITECTURES}"
    INSTALL_RPATH "${CUDAToolkit_LIBRARY_DIR}")
  target_compile_definitions(${target} PRIVATE
    GANGLION_CUDA_LIBRARY="$<TARGET_FILE_NAME:${companion}>")
  add_dependencies(${target} ${companion})
endfunction()

# What a plugin library and its companion share: the headers, the name's prefix, hidden inline
# functions and the output folder.
function(_ganglion_plugin_common target output_directory)
  if(TARGET ganglion::headers)
    target_link_libraries(${target} PRIVATE ganglion::headers)
  else()
    target_link_libraries(${target} PRIVATE ganglion_headers)
  endif()
  set_target_properties(${target} PROPERTIES
    PREFIX "lib"
    VISIBILITY_INLINES_HIDDEN ON)
  if(output_directory)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${output_directory})
  endif()
endfunction()

# ganglion_enable_cuda(<AUTO|ON|OFF> <result>)
# Enables CUDA in the calling project where <AUTO|ON|OFF> asks for it (AUTO: where nvcc is found,
# also at /usr/local/cuda, which Debian's PATH lacks) and sets <result> to ON or OFF. sm_90 machine
# code plus compute_90 PTX unless CMAKE_CUDA_ARCHITECTURES names others (set before
# enable_language, which would otherwise take nvcc's own default); C++20 as the host code, since
# device code includes the SDK's headers for their GG_HD functions, which call constexpr functions
# such as std::bit_cast (--expt-relaxed-constexpr; CMake 3.25 does not know nvcc 13's flag for
# C++20: told here). A macro: enable_language acts at the caller's scope.
macro(ganglion_enable_cuda _gg_mode _gg_result)
  set(${_gg_result} ${_gg_mode})
  if(NOT DEFINED ENV{CUDACXX} AND NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
    set(ENV{CUDACXX} /usr/local/cuda/bin/nvcc)
  endif()
  if(${_gg_result} STREQUAL "AUTO")
    include(CheckLanguage)
    check_language(CUDA)
    if(CMAKE_CUDA_COMPILER)
      set(${_gg_result} ON)
    else()
      set(${_gg_result} OFF)
    endif()
  endif()
  if(${_gg_result})
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES 90)
    endif()
    enable_language(CUDA)
    find_package(CUDAToolkit REQUIRED)
    set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
    set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
    set(CMAKE_CUDA_STANDARD 20)
    set(CMAKE_CUDA_STANDARD_REQUIRED ON)
  endif()
endmacro()
