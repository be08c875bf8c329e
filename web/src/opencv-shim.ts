// OpenCV's UMD build assigns to an undeclared global `Module`, which throws in a module worker (strict mode)
// unless the global exists. This file must be imported before anything that loads OpenCV.
(globalThis as unknown as { Module: object }).Module ??= {};
export {};
