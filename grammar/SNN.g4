// SNN.g4 - lexer and parser grammar of the .snn language.
//
// No actions and no semantic code: the AST builder in frontend/ walks the
// parse tree. Newlines are whitespace; every statement begins with a keyword
// or an identifier, so `;` between statements is optional. A number followed
// on the same line by a unit (`20 ms`) is one QUANTITY token, which keeps
// `state v = 0` and a following `dv/dt = ...` line apart.
grammar SNN;

file : item* EOF ;

item
  : importDecl
  | fileImportDecl
  | neuronDecl
  | synapseDecl
  | functionDecl
  | letDecl
  | networkDecl
  | simulateDecl
  | trainDecl
  ;

// import std.neurons.LIF   |   import std.neurons.{LIF, IF}
importDecl
  : 'import' importName ('.' importName)* ('.' '{' importName (',' importName)* '}')? ';'?
  ;

// import nir "graph.nir.h5" as Net   (a network read from a NIR graph)
fileImportDecl
  : 'import' format=IDENT path=STRING (asWord=IDENT name=IDENT)? ';'?
  ;

// ---------------------------------------------------------------- neuron
// Or a parameter set, a model with other defaults:
// neuron FastLIF = LIF(tau_mem: 5 ms)
neuronDecl : 'neuron' name=IDENT ('{' neuronStmt* '}' | '=' base=IDENT callArgs? ';'?) ;

neuronStmt
  : 'param' IDENT (':' unit=expr)? ('=' value=expr)? ';'? # paramStmt
  | 'state' IDENT '=' expr ';'?                           # stateStmt
  | 'input' IDENT (':' expr)? ';'?                        # inputStmt
  | IDENT '/' IDENT '=' expr ('unless' IDENT)? ';'?       # odeStmt
  | 'spike' 'when' expr ';'?                              # spikeStmt
  | 'on' 'spike' (IDENT IDENT)? '{' assignment* '}' ';'?  # resetStmt
  | IDENT op=('=' | 'while') expr ';'?                    # settingStmt
  ;

assignment : IDENT op=('=' | '+=' | '-=' | '*=' | '/=') expr ';'? ;

// function triangular(x, width, height = 0.3) = height / width * ...
functionDecl : 'function' IDENT '(' (functionParam (',' functionParam)*)? ')' '=' expr ';'? ;
functionParam : IDENT ('=' expr)? ;

// let we = 6 nS   (a named constant, usable in every expression of the file
// and importable like a function)
letDecl : 'let' IDENT '=' expr ';'? ;

// --------------------------------------------------------------- synapse
// Per-synapse parameters and state, continuous dynamics, and what a
// presynaptic (`on pre`) or postsynaptic (`on post`) spike does; `post.X`
// names a variable of the postsynaptic neuron.
synapseDecl : 'synapse' name=IDENT ('{' synapseStmt* '}' | '=' base=IDENT callArgs? ';'?) ;

synapseStmt
  : 'param' IDENT (':' unit=expr)? ('=' value=expr)? ';'?  # synapseParamStmt
  | 'state' IDENT (':' unit=expr)? ('=' value=expr)? ';'?  # synapseStateStmt
  | IDENT '/' IDENT '=' expr ';'?                          # synapseOdeStmt
  | 'on' pathway=(IDENT | 'spike') '{' synapseAssignment* '}' ';'?  # synapseEventStmt
  | block=IDENT '{' postStmt* '}' ';'?                       # synapsePostStmt
  ;

// `post { ... }`: what each postsynaptic neuron keeps for the projection
// (a conductance or current the synapses add to) and the output that feeds
// the neuron's parameter the projection names. `post.v : volt` declares a
// variable of the neuron that the block reads.
postStmt
  : 'state' IDENT (':' unit=expr)? ('=' value=expr)? ';'?  # postStateStmt
  | owner=IDENT '.' IDENT ':' expr ';'?                    # postReadStmt
  | IDENT '/' IDENT '=' expr ';'?                          # postOdeStmt
  | IDENT '=' expr ';'?                                    # postOutputStmt
  ;

synapseAssignment : (owner=IDENT '.')? name=IDENT op=('=' | '+=' | '-=' | '*=' | '/=') expr ';'? ;

// --------------------------------------------------------------- network
networkDecl : 'network' IDENT '{' networkStmt* '}' ;

networkStmt
  : 'population' popName '=' IDENT callArgs? (IDENT expr)? ';'?                # populationStmt
  | 'connect' popName '->' target (',' target)* ':' clause (',' clause)* ';'?  # connectStmt
  ;

target : popName ('.' IDENT)? ;

// A population may be called `input` (the usual name of an input layer),
// though `input` is a keyword inside neuron and simulate blocks.
popName : IDENT | 'input' ;

clause
  : 'weight' '~' expr     # weightDistClause
  | 'weight' expr         # weightClause
  | 'synapse' IDENT callArgs? # synapseClause
  | IDENT callArgs?       # connectivityClause
  | IDENT '~' expr        # valueDistClause
  | IDENT expr            # valueClause
  ;

// -------------------------------------------------------------- simulate
simulateDecl : 'simulate' IDENT '{' regimeStmt* '}' ;

// train Digits with eprop { data train = ...; timesteps = 20; ... }
// Both regimes share their statements; the frontend says which belong where.
trainDecl : 'train' IDENT 'with' IDENT '{' regimeStmt* '}' ;

regimeStmt
  : 'init' varRef (',' varRef)* op=('=' | '~') expr ';'?        # initStmt
  | 'record' recordItem (',' recordItem)* recordSuffix* ';'?      # recordStmt
  | 'input' popName ('.' IDENT)? '=' expr ';'?                  # stimulusStmt
  | IDENT dataName '=' expr ';'?                                 # dataStmt
  | IDENT '=' expr ';'?                                          # regimeSettingStmt
  | IDENT callArgs ';'?                                          # callStmt
  | IDENT IDENT callArgs ';'?                                    # wordCallStmt
  | IDENT IDENT sign=('-' | '+')? value=(NUMBER | QUANTITY) ';'?  # wordValueStmt
  | IDENT word=(IDENT | 'every') COUNT 'to' STRING ';'?          # periodStmt
  | IDENT projectionRef 'to' expr '%' IDENT IDENT when=(IDENT | 'every') COUNT ';'?  # pruneStmt
  | IDENT projectionRef IDENT IDENT callArgs ';'?                # rewireStmt
  | IDENT projectionRef (',' projectionRef)* ';'?                # projectionsStmt
  ;

// The workflow statements of a train regime have fixed shapes (newlines
// are not tokens, so a statement's end must follow from its shape):
// `early_stopping(patience: 5)`, `regularize l2(1e-4)`,
// `clip_gradients norm 1.0`, `checkpoint every 1 epoch to "ckpt/"`,
// `freeze input -> hidden, hidden -> hidden`,
// `prune hidden -> hidden to 10 % by magnitude every 5 epochs`,
// `rewire hidden -> hidden by deep_r(l1: 1e-5, temperature: 1e-10)` (before
// `freeze a -> b`, which would otherwise end at `b` and leave `by ...` a
// statement of its own).

// `to "file.npz"`, `on example 1000`, `every 1 ms`.
recordSuffix : 'to' STRING | 'on' IDENT expr | 'every' expr ;

// `input -> hidden` in `freeze input -> hidden`.
projectionRef : popName '->' popName ;

// `data train = ...`, `data test = ...`: `data` and `test` are names, not
// keywords, and `train` (a keyword that opens a regime) is one here too.
dataName : IDENT | 'train' ;

varRef : popName '.' IDENT ;

recordItem
  : IDENT '(' selection ')'         # recordCall
  | selection '.' IDENT             # recordVar
  ;

selection : popName ('[' slice ']')? ;

slice : begin=expr? ':' end=expr? (':' stride=expr)?   # rangeSlice
      | expr (',' expr)*                               # indexSlice
      ;

// ----------------------------------------------------------- expressions
callArgs : '(' (arg (',' arg)*)? ')' ;
arg : (name=(IDENT | 'every') ':')? expr ;   // `every` is a keyword of `record`

// Alternatives are listed from tightest to loosest binding. `output.v` (a
// population's variable) parses anywhere but means something only as the
// readout of a train regime; the frontend reports it elsewhere.
expr
  : '(' expr ')'                                          # parenExpr
  | IDENT callArgs                                        # callExpr
  | IDENT '.' IDENT                                       # memberExpr
  | IDENT                                                 # nameExpr
  | 'input'                                               # inputNameExpr
  | QUANTITY                                              # quantityExpr
  | COUNT                                                 # countExpr
  | SHAPE                                                 # shapeExpr
  | '[' (expr (',' expr)*)? ']'                           # listExpr
  | NUMBER                                                # numberExpr
  | STRING                                                # stringExpr
  | ('true' | 'false')                                    # boolExpr
  | <assoc = right> expr '**' expr                        # powExpr
  | op=('-' | '+') expr                                   # unaryExpr
  | expr op=('*' | '/') expr                              # mulExpr
  | expr op=('+' | '-') expr                              # addExpr
  | expr op=('<' | '<=' | '>' | '>=' | '==' | '!=') expr  # compareExpr
  | 'not' expr                                            # notExpr
  | expr 'and' expr                                       # andExpr
  | expr 'or' expr                                        # orExpr
  | 'if' expr 'then' expr 'else' expr                     # ifExpr
  ;

// (After every other parser rule, so that keywords keep their token order.)
// A keyword in a module path (`std.neuron`, `lib.network`) is a name there,
// so a misspelt module is reported as a missing module, not a syntax error.
importName : IDENT | 'neuron' | 'synapse' | 'network' | 'input' | 'train' | 'function' | 'let' | 'simulate' | 'spike' | 'state' ;

// ----------------------------------------------------------------- lexer
// A quantity: a number and, on the same line, one of the unit symbols.
QUANTITY : NUM [ \t]* UNIT ;
// A number of epochs, batches or steps: `50 epochs`, `1 epoch` (a period of
// the training workflow). Longer than any QUANTITY it starts like (`5 s`).
COUNT : NUM [ \t]+ ('epochs' | 'epoch' | 'batches' | 'batch' | 'steps' | 'step') ;
// A shape, HEIGHTxWIDTH or HEIGHTxWIDTHxCHANNELS: a population's
// (`x 28x28x2`), or a convolution's or a pooling's window (`conv2d(3x3)`).
// Longer than the NUMBER it starts like.
SHAPE : DIGITS ('x' DIGITS)+ ;
NUMBER   : NUM ;
STRING   : '"' (~["\\\r\n] | '\\' ~[\r\n])* '"' ;
// A string whose closing quote is missing on its line: one token, so the
// parser reports it once instead of tripping over its words.
UNTERMINATED_STRING : '"' (~["\\\r\n] | '\\' ~[\r\n])* '\\'? ;
// `\u00B5` and `\u03BC` (micro) start unit names such as `\u00B5F`.
IDENT    : [a-zA-Z_\u00B5\u03BC] [a-zA-Z_0-9]* ;

fragment NUM : DIGITS ('.' DIGITS?)? EXPONENT? | '.' DIGITS EXPONENT? ;
fragment DIGITS : [0-9]+ ;
fragment EXPONENT : [eE] [+-]? DIGITS ;
// The symbols and Brian2's names (`0 volt`, `10 nsiemens`, `1 uF`), micro as
// `u`, `\u00B5` or `\u03BC`; a length may be squared or cubed (`cm2`).
fragment UNIT : PREFIX? BASE_UNIT [23]? ;
fragment PREFIX : 'f' | 'p' | 'n' | 'u' | '\u00B5' | '\u03BC' | 'm' | 'c' | 'k' | 'M' | 'G' ;
fragment BASE_UNIT
  : 's' | 'second' | 'V' | 'volt' | 'A' | 'amp' | 'ampere' | 'Hz' | 'hertz' | 'S' | 'siemens'
  | 'F' | 'farad' | 'ohm' | 'm' | 'metre' | 'meter' | 'M' | 'molar' | 'mol' | 'mole'
  ;

COMMENT       : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
WS            : [ \t\r\n\f]+ -> skip ;
// Anything else reaches the parser as one token and is reported there.
UNKNOWN_CHAR  : . ;
