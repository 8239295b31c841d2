//===- backends/cpu/AbiTypes.h - LLVM types of the model ABI ----*- C++ -*-===//
//
// The structs of runtime/include/snn/model_abi.h (version 3) as LLVM struct
// types. Each is a non-packed struct of i32/i64/double/ptr fields in the C
// declaration order, so LLVM's natural alignment reproduces the C layout on
// x86-64 (the backend's unit tests check every offset against offsetof).
//
//===----------------------------------------------------------------------===//
#pragma once

#include "llvm/IR/DerivedTypes.h"
#include "llvm/IR/LLVMContext.h"

namespace snn::cpu {

/// Field numbers of snn_buffer_desc.
enum BufferDescField : unsigned { BufName, BufUnit, BufType, BufScope, BufOwner, BufBatch, BufRole, BufExtent };
/// Field numbers of snn_variable_desc.
enum VariableDescField : unsigned { VarName, VarBuffer, VarHidden, VarFile, VarArray };
/// Field numbers of snn_population_desc.
enum PopulationDescField : unsigned {
  PopName,
  PopModel,
  PopSize,
  PopNumStateVars,
  PopStateVars,
  PopNumInputs,
  PopInputs,
  PopSpiked,
  PopStimulus
};
/// Field numbers of snn_projection_desc.
enum ProjectionDescField : unsigned {
  ProjName,
  ProjPre,
  ProjPost,
  ProjConnectivity,
  ProjProbability,
  ProjCount,
  ProjAutapses,
  ProjRowStart,
  ProjTarget,
  ProjWeight,
  ProjWeightFile,
  ProjWeightArray,
  ProjWindow,
  ProjListPre,
  ProjListPost,
  ProjWeightLayout,
  ProjPreHeight,
  ProjPreWidth,
  ProjPreChannels
};
/// Field numbers of snn_record_desc.
enum RecordDescField : unsigned {
  RecKind,
  RecPopulation,
  RecBuffer,
  RecBegin,
  RecEnd,
  RecStride,
  RecInterval,
  RecFile,
  RecExample,
  RecNumIndices,
  RecIndices
};
/// Field numbers of snn_stimulus_desc.
enum StimulusDescField : unsigned { StimPopulation, StimPath };
/// Field numbers of snn_state.
enum StateField : unsigned { StateBuffers, StateExtents, StateBatch, StateFirstExample, StateSeed };
/// Field numbers of snn_entry_desc.
enum EntryDescField : unsigned { EntryName, EntryFn };
/// Field numbers of snn_model_desc.
enum ModelDescField : unsigned {
  ModelAbiVersion,
  ModelRealSize,
  ModelName,
  ModelDt,
  ModelDuration,
  ModelDefaultSeed,
  ModelDefaultBatch,
  ModelNumBuffers,
  ModelBuffers,
  ModelNumPopulations,
  ModelPopulations,
  ModelNumProjections,
  ModelProjections,
  ModelNumRecords,
  ModelRecords,
  ModelNumStimuli,
  ModelStimuli,
  ModelNumEntries,
  ModelEntries,
  ModelTraining,
  ModelDevice
};
/// Field numbers of snn_data_desc.
enum DataDescField : unsigned { DataPath, DataLabelsPath, DataEncoder, DataMaxValue, DataMaxRate };
/// Field numbers of snn_param_desc.
enum ParamDescField : unsigned { ParamName, ParamKind, ParamIndex, ParamValue, ParamGradient };
/// Field numbers of snn_training_desc.
enum TrainingDescField : unsigned {
  TrainTimesteps,
  TrainEpochs,
  TrainTestSplit,
  TrainValidationSplit,
  TrainTrainData,
  TrainTestData,
  TrainInputPopulation,
  TrainReadoutPopulation,
  TrainClasses,
  TrainLabel,
  TrainLoss,
  TrainScores,
  TrainLr,
  TrainDefaultLr,
  TrainLossName,
  TrainReadoutName,
  TrainOptimizerName,
  TrainNumParams,
  TrainParams,
  TrainHyper,
  TrainNumHypers,
  TrainHypers,
  TrainSchedule,
  TrainScheduleUnit,
  TrainScheduleMonitor,
  TrainWarmupUnit,
  TrainEarlyStopping,
  TrainEarlyStoppingMonitor,
  TrainCheckpointUnit,
  TrainCheckpointDir
};
/// Field numbers of snn_hyper_desc.
enum HyperDescField : unsigned { HyperName, HyperHelp, HyperValue, HyperMin, HyperMax, HyperFlags };

/// The ABI's struct types in one LLVM context, named after their C typedefs.
struct AbiTypes {
  llvm::StructType *buffer_desc;
  llvm::StructType *variable_desc;
  llvm::StructType *population_desc;
  llvm::StructType *projection_desc;
  llvm::StructType *window_desc;
  llvm::StructType *record_desc;
  llvm::StructType *stimulus_desc;
  llvm::StructType *state;
  llvm::StructType *entry_desc;
  llvm::StructType *model_desc;
  llvm::StructType *data_desc;
  llvm::StructType *param_desc;
  llvm::StructType *training_desc;
  llvm::StructType *hyper_desc;
  llvm::StructType *prune_desc;
  llvm::StructType *rewire_desc;

  /// The types of `context`, created on first use and shared afterwards.
  static AbiTypes get(llvm::LLVMContext &context);
};

} // namespace snn::cpu
