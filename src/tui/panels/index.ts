/** The workstation's panels (issue 7): what the shell plugs into its screen. */
export { ActivityFeed, type ActivityFeedProps } from './ActivityFeed.js';
export { BeadDetails, detailLines, type BeadDetailsProps } from './BeadDetails.js';
export { Board, beadSegments, type BoardProps } from './Board.js';
export { FormDialog, type FormDialogProps } from './FormDialog.js';
export { HelpOverlay, helpLines, type HelpBinding, type HelpOverlayProps } from './HelpOverlay.js';
export { Inbox, type InboxProps } from './Inbox.js';
export { Line, type LineProps, type Segment } from './Line.js';
export { Panel, innerRows, type PanelProps } from './Panel.js';
export { RefineryLane, type RefineryLaneProps } from './RefineryLane.js';
export { StatusBar, type StatusBarProps } from './StatusBar.js';
export { TriagePanels, type TriagePanelsProps } from './TriagePanels.js';
export { panelBindings, actionFor, bindingConflicts, type Binding, type BindingContext, type PanelActionId } from './bindings.js';
export { handlePanelKey, handlePrefixKey, keyContext, type KeyOutcome } from './handle-key.js';
export { keyName } from './key-name.js';
export { useTriage, type Triage, type UseTriageOptions } from './use-triage.js';
export { useTriageInput } from './use-triage-input.js';
