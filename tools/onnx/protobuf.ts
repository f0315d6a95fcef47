/** The protobuf encoder lives in the library (lib/model/protobuf.ts), which rewrites ZipMap graphs with it. */
export { ProtoWriter } from '../../lib/model/protobuf.js';
