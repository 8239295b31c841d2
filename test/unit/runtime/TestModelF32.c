/*===- TestModelF32.c - The test model with float state -------------------===*/
#define REAL float
#define REAL_ELEM SNN_ELEM_F32
#define MODEL_SYMBOL(name) name##_f32
#include "TestModel.inc"
