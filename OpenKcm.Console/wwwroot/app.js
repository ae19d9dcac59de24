// Small browser helpers the console calls through JS interop. No inline scripts (the CSP forbids them).
window.openKcm = {
  copyText: async (text) => {
    await navigator.clipboard.writeText(text);
    return true;
  },
};
