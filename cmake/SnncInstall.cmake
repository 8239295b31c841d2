# What `cmake --install build --prefix P` lays out:
#   P/bin/snnc                          the driver (finds ../lib by RPATH)
#   P/lib/libsnnc.so*                   the compiler library (public API only)
#   P/include/snn/*.h                   its headers and the runtime's
#   P/lib/snnc/libsnnrt{,_main}.a       what generated executables link
#   P/share/snnc/stdlib/std/*.snn       the standard library (import std.*)
#   P/lib/cmake/snnc/                   the CMake package (snnc::snnc)
# lib/Resources.cpp finds the runtime and the stdlib relative to the
# installed library, so the tree can be moved anywhere.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(SNN_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/snnc)

file(RELATIVE_PATH SNN_BIN_TO_LIB /prefix/${CMAKE_INSTALL_BINDIR} /prefix/${CMAKE_INSTALL_LIBDIR})
set_target_properties(snnc PROPERTIES INSTALL_RPATH "$ORIGIN/${SNN_BIN_TO_LIB}")

install(TARGETS snnc_lib EXPORT snncTargets LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(TARGETS snnc RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS snnrt snnrt_main snnrt_cuda_emulation ARCHIVE DESTINATION ${SNN_INSTALL_RUNTIME_DIR})
if(SNN_HAVE_CUDA)
  install(TARGETS snnrt_cuda ARCHIVE DESTINATION ${SNN_INSTALL_RUNTIME_DIR})
endif()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/snn ${PROJECT_SOURCE_DIR}/runtime/include/snn
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/stdlib/
  DESTINATION ${SNN_INSTALL_STDLIB_DIR}
  FILES_MATCHING PATTERN "*.snn")

install(EXPORT snncTargets NAMESPACE snnc:: DESTINATION ${SNN_INSTALL_CMAKEDIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/snncConfig.cmake.in
  ${PROJECT_BINARY_DIR}/snncConfig.cmake
  INSTALL_DESTINATION ${SNN_INSTALL_CMAKEDIR}
  PATH_VARS CMAKE_INSTALL_BINDIR)
# 0.x: a minor version may break the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/snncConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/snncConfig.cmake ${PROJECT_BINARY_DIR}/snncConfigVersion.cmake
  DESTINATION ${SNN_INSTALL_CMAKEDIR})
