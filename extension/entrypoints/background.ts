import { defineBackground } from 'wxt/utils/define-background';

export default defineBackground(() => {
  // The data layer and sync start here (see extension/lib).
});
