/** Something the user gave (an option, a file, an output path) cannot be used; the message says which and why. */
export class InputError extends Error {}
