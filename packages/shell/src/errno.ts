/** The errno code of a failed Node call; defined in core, where error messages are built from it. */
export { errorCode } from "@agentctl/core/errno"
