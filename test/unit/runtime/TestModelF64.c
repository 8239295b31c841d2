/*===- TestModelF64.c - The test model with double state ------------------===*/
#define REAL double
#define REAL_ELEM SNN_ELEM_F64
#define MODEL_SYMBOL(name) name##_f64
#include "TestModel.inc"
