/*===- TestModelMain.c - snn_model() of the test model executable ---------===*
 *
 * Linked with snnrt_main into runtime_test_model, the way snnc links a
 * generated object, so the tests can run a real model executable.
 *===----------------------------------------------------------------------===*/
#include "TestModel.h"

const snn_model_desc *snn_model(void) { return snn_test_model_f64(); }
