// Errors of the control plane, with a stable code and ipvsadm's wording where it has one.
// E_INVALID: the request is malformed (a field of the wrong type or out of range); E_INTERNAL:
// uvsd failed while carrying out a well-formed request (a bug, or the host refusing).
// The class is defined in engine/model.ts because the engine's service table throws it (the
// layers of DESIGN.md let control/ import engine/, not the other way); the control plane takes
// it from here.
import { ControlError } from '../engine/model.js';

export { ControlError };
export type ControlErrorCode = ControlError['code'];
