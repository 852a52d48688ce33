using System.Text.Json;

namespace OrleansSocial.Storage.Documents;

/// <summary>A document a database is created with (<see cref="IDocumentStore.CreateDatabaseAsync(string, IReadOnlyList{FirstDocument}, CancellationToken)"/>).</summary>
public sealed record FirstDocument(string Collection, string Id, JsonElement Body);
