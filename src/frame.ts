// The entry of `b24-lead-contact/frame`: the app side of an in-portal frame (browser only).
export { connectFrame, type ConnectFrameOptions, type FrameConnection } from './frame/connect-frame.js';
