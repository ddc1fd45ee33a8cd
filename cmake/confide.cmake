# Helper functions that every CMakeLists.txt under confide/, apps/, fuzz/ and bench/ uses.
#
#   confide_library(NAME SRCS a.cc ... [DEPS base crypto ...] [EXTERNAL OpenSSL::Crypto ...]
#                   [TESTONLY])
#       -> static library confide_NAME (alias confide::NAME). DEPS are other confide libraries
#          (the layers it may use); EXTERNAL are imported targets of third-party packages.
#          TESTONLY libraries (the testing/ builders) are not installed.
#   confide_test(NAME SRCS a_test.cc ... DEPS ...)
#       -> GoogleTest executable, registered with CTest test by test.
#   confide_fuzz(NAME SRCS a_fuzz.cc DEPS ... [CORPUS dir ...])
#       -> libFuzzer target with CONFIDE_FUZZ, else a replay executable; either way a CTest test
#          replays the corpus directories (relative ones are under CONFIDE_SHARED_DIR/vectors).
#   confide_bench(NAME SRCS a_bench.cc DEPS ...) -> Google Benchmark executable.
#   confide_e2e_test(NAME NEEDS target ... TIMEOUT seconds COMMAND ... [ENVIRONMENT VAR=value ...])
#       -> CTest test e2e.NAME running COMMAND, registered only if every NEEDS target exists.

set_property(GLOBAL PROPERTY CONFIDE_ALL_LIBRARIES "")

function(confide_setup)
  find_program(CCACHE_PROGRAM ccache)
  if(CCACHE_PROGRAM)
    set(CMAKE_CXX_COMPILER_LAUNCHER "${CCACHE_PROGRAM}" PARENT_SCOPE)
  endif()
  if(NOT EXISTS "${CONFIDE_SHARED_DIR}/vectors")
    message(WARNING "CONFIDE_SHARED_DIR (${CONFIDE_SHARED_DIR}) has no vectors/: the tests that "
                    "read vectors and models will fail. Pass -DCONFIDE_SHARED_DIR=/path/to/shared.")
  endif()
endfunction()

function(_confide_common_options target)
  # Designated initializers that leave defaulted fields out are an idiom here (options structs),
  # so -Wmissing-field-initializers (on with -Wextra in g++ 12) is off.
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wshadow -Wno-missing-field-initializers)
  if(CONFIDE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(CONFIDE_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer
                                             -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
  if(CONFIDE_FUZZ)
    # Coverage instrumentation everywhere, so libFuzzer sees inside the libraries; only the fuzz
    # targets link libFuzzer itself (confide_fuzz).
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link)
  endif()
endfunction()

function(confide_library name)
  cmake_parse_arguments(ARG "TESTONLY" "" "SRCS;DEPS;EXTERNAL" ${ARGN})
  add_library(confide_${name} STATIC ${ARG_SRCS})
  add_library(confide::${name} ALIAS confide_${name})
  set_target_properties(confide_${name} PROPERTIES EXPORT_NAME ${name})
  target_include_directories(confide_${name} PUBLIC
      $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}> $<INSTALL_INTERFACE:include>)
  foreach(dep IN LISTS ARG_DEPS)
    target_link_libraries(confide_${name} PUBLIC confide_${dep})
  endforeach()
  target_link_libraries(confide_${name} PUBLIC ${ARG_EXTERNAL})
  _confide_common_options(confide_${name})
  if(NOT ARG_TESTONLY)
    set_property(GLOBAL APPEND PROPERTY CONFIDE_ALL_LIBRARIES confide_${name})
  endif()
endfunction()

# Links DEPS (confide library names or imported targets) to an executable target.
function(_confide_link target)
  foreach(dep IN LISTS ARGN)
    if(TARGET confide_${dep})
      target_link_libraries(${target} PRIVATE confide_${dep})
    else()
      target_link_libraries(${target} PRIVATE ${dep})
    endif()
  endforeach()
endfunction()

function(confide_test name)
  if(NOT CONFIDE_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  _confide_link(${name} ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  target_compile_definitions(${name} PRIVATE CONFIDE_SHARED_DIR="${CONFIDE_SHARED_DIR}"
                                             CONFIDE_BINARY_DIR="${PROJECT_BINARY_DIR}")
  _confide_common_options(${name})
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST DISCOVERY_TIMEOUT 60
                       PROPERTIES TIMEOUT 600)
endfunction()

function(confide_fuzz name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS;CORPUS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  _confide_link(${name} ${ARG_DEPS})
  _confide_common_options(${name})
  if(CONFIDE_FUZZ)
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  else()
    target_sources(${name} PRIVATE ${PROJECT_SOURCE_DIR}/fuzz/replay_main.cc)
  endif()
  set(dirs "${PROJECT_SOURCE_DIR}/fuzz/corpus/${name}")
  foreach(dir IN LISTS ARG_CORPUS)
    if(IS_ABSOLUTE "${dir}")
      list(APPEND dirs "${dir}")
    else()
      list(APPEND dirs "${CONFIDE_SHARED_DIR}/vectors/${dir}")
    endif()
  endforeach()
  set_property(GLOBAL APPEND PROPERTY CONFIDE_FUZZ_TARGETS ${name})
  string(REPLACE ";" " " dirs_text "${dirs}")
  set_property(GLOBAL APPEND_STRING PROPERTY CONFIDE_FUZZ_CORPORA "${name} ${dirs_text}\n")
  if(CONFIDE_BUILD_TESTS AND CONFIDE_FUZZ)
    # libFuzzer runs every corpus input at start-up; -runs=0 then stops before mutating.
    add_test(NAME ${name}.replay COMMAND ${name} -runs=0 ${dirs})
  elseif(CONFIDE_BUILD_TESTS)
    add_test(NAME ${name}.replay COMMAND ${name} ${dirs})
  endif()
endfunction()

function(confide_bench name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  _confide_link(${name} ${ARG_DEPS} benchmark::benchmark)
  target_compile_definitions(${name} PRIVATE CONFIDE_SHARED_DIR="${CONFIDE_SHARED_DIR}")
  _confide_common_options(${name})
endfunction()

function(confide_e2e_test name)
  if(NOT CONFIDE_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "TIMEOUT" "NEEDS;COMMAND;ENVIRONMENT" ${ARGN})
  foreach(target IN LISTS ARG_NEEDS)
    if(NOT TARGET ${target})
      return()
    endif()
  endforeach()
  add_test(NAME e2e.${name} COMMAND ${ARG_COMMAND})
  set_tests_properties(e2e.${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT})
  if(ARG_ENVIRONMENT)
    set_tests_properties(e2e.${name} PROPERTIES ENVIRONMENT "${ARG_ENVIRONMENT}")
  endif()
endfunction()

# Writes build/<preset>/fuzz_targets.txt (one target a line) and fuzz_corpora.txt
# ("target dir dir ..." a line) for scripts/fuzz.sh.
function(confide_write_fuzz_manifest)
  get_property(targets GLOBAL PROPERTY CONFIDE_FUZZ_TARGETS)
  get_property(corpora GLOBAL PROPERTY CONFIDE_FUZZ_CORPORA)
  string(REPLACE ";" "\n" targets_text "${targets}")
  file(WRITE ${PROJECT_BINARY_DIR}/fuzz_targets.txt "${targets_text}\n")
  file(WRITE ${PROJECT_BINARY_DIR}/fuzz_corpora.txt "${corpora}")
endfunction()

# Installs public headers, libraries and a find_package(confide) config.
function(confide_install_package)
  include(GNUInstallDirs)
  include(CMakePackageConfigHelpers)
  get_property(libraries GLOBAL PROPERTY CONFIDE_ALL_LIBRARIES)
  install(TARGETS ${libraries} EXPORT confideTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/confide/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/confide
          FILES_MATCHING PATTERN "*.h"
          PATTERN "internal" EXCLUDE PATTERN "testing" EXCLUDE)
  install(EXPORT confideTargets NAMESPACE confide::
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/confide)
  configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/confideConfig.cmake.in
      ${PROJECT_BINARY_DIR}/confideConfig.cmake
      INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/confide)
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/confideConfigVersion.cmake
      COMPATIBILITY SameMinorVersion)
  install(FILES ${PROJECT_BINARY_DIR}/confideConfig.cmake
                ${PROJECT_BINARY_DIR}/confideConfigVersion.cmake
          DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/confide)
endfunction()
