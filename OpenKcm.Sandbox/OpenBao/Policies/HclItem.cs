namespace OpenKcm.Sandbox.OpenBao.Policies;

/// <summary>
/// One entry of an HCL body: an attribute (<c>key = value</c>) or a block (<c>key "label" { ... }</c>).
/// Values are <see cref="string"/>, <see cref="double"/>, <see cref="bool"/>, <c>List&lt;object?&gt;</c>, or a nested
/// body (<c>IReadOnlyList&lt;HclItem&gt;</c>) for objects and blocks.
/// </summary>
internal sealed record HclItem(string Key, IReadOnlyList<string> Labels, object? Value, bool IsBlock, int Line);
