//===- backends/cpu/AbiTypes.h - LLVM types of the model ABI ----*- C++ -*-===//
//
// The structs of runtime/include/snn/model_abi.h as LLVM struct types. Each
// is a non-packed struct of i32/i64/double/ptr fields in the C declaration
// order, so LLVM's natural alignment reproduces the C layout on x86-64 (the
// backend's unit tests check every offset against offsetof).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/LLVMContext.h"

namespace snn::cpu {

/// Field numbers of snn_variable_desc.
enum VariableDescField : unsigned { VarName, VarUnit };

/// Field numbers of snn_population_desc.
enum PopulationDescField : unsigned {
  PopName,
  PopModel,
  PopSize,
  PopNumStateVars,
  PopStateVars,
  PopNumInputs,
  PopInputs,
  PopFirstBuffer
};

/// Field numbers of snn_distribution.
enum DistributionField : unsigned { DistKind, DistA, DistB };

/// Field numbers of snn_projection_desc.
enum ProjectionDescField : unsigned {
  ProjName,
  ProjPre,
  ProjPost,
  ProjConnectivity,
  ProjProbability,
  ProjAutapses,
  ProjWeight,
  ProjTargetKind,
  ProjTargetIndex
};

/// Field numbers of snn_record_desc.
enum RecordDescField : unsigned { RecKind, RecPopulation, RecVariable, RecBegin, RecEnd, RecStride, RecFile };

/// Field numbers of snn_stimulus_desc.
enum StimulusDescField : unsigned { StimPopulation, StimPath };

/// Field numbers of snn_synapses.
enum SynapsesField : unsigned { SynRowStart, SynTarget, SynWeight, SynCount };

/// Field numbers of snn_state.
enum StateField : unsigned { StateBuffers, StateSpiked, StateStimulus, StateSynapses, StateSeed };

/// Field numbers of snn_model_desc.
enum ModelDescField : unsigned {
  ModelAbiVersion,
  ModelRealSize,
  ModelName,
  ModelDt,
  ModelDuration,
  ModelDefaultSeed,
  ModelNumPopulations,
  ModelPopulations,
  ModelNumProjections,
  ModelProjections,
  ModelNumRecords,
  ModelRecords,
  ModelNumStimuli,
  ModelStimuli,
  ModelInit,
  ModelStep
};

/// The ABI's struct types in one LLVM context, named after their C typedefs.
struct AbiTypes {
  llvm::StructType *variable_desc;
  llvm::StructType *population_desc;
  llvm::StructType *distribution;
  llvm::StructType *projection_desc;
  llvm::StructType *record_desc;
  llvm::StructType *stimulus_desc;
  llvm::StructType *synapses;
  llvm::StructType *state;
  llvm::StructType *model_desc;

  /// The types of `context`, created on first use and shared afterwards.
  static AbiTypes get(llvm::LLVMContext &context);
};

} // namespace snn::cpu
