/** The part of better-sqlite3's API this project uses (the package ships no types of its own). */
declare module 'better-sqlite3' {
  namespace Database {
    interface RunResult {
      changes: number;
      lastInsertRowid: number | bigint;
    }
    interface Statement<Row = unknown> {
      run(...params: unknown[]): RunResult;
      get(...params: unknown[]): Row | undefined;
      all(...params: unknown[]): Row[];
      iterate(...params: unknown[]): IterableIterator<Row>;
      /** Rows as arrays of column values instead of objects. */
      raw(toggle?: boolean): Statement<unknown[]>;
    }
    interface Transaction<Args extends unknown[], Result> {
      (...args: Args): Result;
      /** BEGIN IMMEDIATE: takes the write lock before the body runs. */
      immediate(...args: Args): Result;
    }
    interface Connection {
      readonly open: boolean;
      prepare<Row = unknown>(sql: string): Statement<Row>;
      exec(sql: string): this;
      pragma(source: string, options?: { simple?: boolean }): unknown;
      transaction<Args extends unknown[], Result>(fn: (...args: Args) => Result): Transaction<Args, Result>;
      close(): this;
    }
    interface Options {
      readonly?: boolean;
      fileMustExist?: boolean;
      timeout?: number;
    }
  }
  const Database: new (filename: string, options?: Database.Options) => Database.Connection;
  export = Database;
}
