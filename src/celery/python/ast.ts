/**
 * The syntax tree of the Python subset, shaped like Python's own `ast`
 * module (Name, Constant, Call, Compare, If, FunctionDef…), every node with
 * the 1-based line and column where it starts.
 */
import type { Pos } from './errors.ts';

export type Constant = null | boolean | string | { int: number } | { float: number };

export type Expr =
  | { kind: 'Name'; id: string; pos: Pos }
  | { kind: 'Constant'; value: Constant; pos: Pos }
  | { kind: 'Tuple'; elts: Expr[]; pos: Pos }
  | { kind: 'List'; elts: Expr[]; pos: Pos }
  | { kind: 'Dict'; keys: Expr[]; values: Expr[]; pos: Pos }
  | { kind: 'Attribute'; value: Expr; attr: string; pos: Pos; attrPos: Pos }
  | { kind: 'Subscript'; value: Expr; index: Expr; pos: Pos }
  | { kind: 'Slice'; lower: Expr | null; upper: Expr | null; step: Expr | null; pos: Pos }
  | { kind: 'Call'; func: Expr; args: Expr[]; keywords: Keyword[]; pos: Pos }
  | { kind: 'BoolOp'; op: 'and' | 'or'; values: Expr[]; pos: Pos }
  | { kind: 'UnaryOp'; op: 'not' | '-' | '+' | '~'; operand: Expr; pos: Pos }
  | { kind: 'BinOp'; op: BinOperator; left: Expr; right: Expr; pos: Pos; opPos: Pos }
  | { kind: 'Compare'; left: Expr; ops: CompareOperator[]; comparators: Expr[]; pos: Pos }
  | { kind: 'IfExp'; test: Expr; body: Expr; orelse: Expr; pos: Pos };

export type BinOperator = '+' | '-' | '*' | '/' | '//' | '%' | '**' | '|' | '&' | '^' | '<<' | '>>';
export type CompareOperator = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in' | 'is' | 'is not';

export interface Keyword {
  name: string;
  value: Expr;
  pos: Pos;
}

export interface Param {
  name: string;
  default: Expr | null;
  pos: Pos;
}

export interface Params {
  /** Positional-or-keyword parameters (positional-only ones included). */
  positional: Param[];
  vararg: string | null;
  keywordOnly: Param[];
  kwarg: string | null;
}

export type Stmt =
  | { kind: 'Expr'; value: Expr; pos: Pos }
  | { kind: 'Assign'; targets: Expr[]; value: Expr; pos: Pos }
  | { kind: 'If'; test: Expr; body: Stmt[]; orelse: Stmt[]; pos: Pos }
  | { kind: 'Return'; value: Expr | null; pos: Pos }
  | { kind: 'Pass'; pos: Pos }
  | { kind: 'FunctionDef'; name: string; params: Params; body: Stmt[]; decorators: Expr[]; pos: Pos }
  | { kind: 'Import'; names: Alias[]; pos: Pos }
  | { kind: 'ImportFrom'; module: string; names: Alias[]; pos: Pos };

export interface Alias {
  name: string;
  asname: string | null;
  pos: Pos;
}

export interface Module {
  body: Stmt[];
  /** The normalized source (universal newlines), for error displays. */
  source: string;
}
