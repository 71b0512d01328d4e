using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;

namespace DoltBackup.Capture
{
    /// <summary>
    /// Removes the <c>profile</c> key from a Dolt config file (config_global.json, or a local config.json): its value is
    /// base64 JSON of <c>dolt profile</c> entries, passwords included (dolt-reference §3). Every other key is kept as it is.
    /// </summary>
    public static class GlobalConfigFilter
    {
        /// <summary>The key that holds secrets.</summary>
        public const string ProfileKey = "profile";

        /// <summary>True when the JSON object has a <c>profile</c> key. Throws <see cref="InvalidDataException"/> on bad JSON.</summary>
        public static bool HasProfile(byte[] json)
        {
            using (var doc = Parse(json))
            {
                return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(ProfileKey, out _);
            }
        }

        /// <summary>The same JSON object without the <c>profile</c> key (compact, keys in their original order).</summary>
        public static byte[] RemoveProfile(byte[] json)
        {
            using (var doc = Parse(json))
            using (var buffer = new MemoryStream())
            {
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    writer.WriteStartObject();
                    foreach (var property in doc.RootElement.EnumerateObject())
                    {
                        if (property.NameEquals(ProfileKey))
                        {
                            continue;
                        }
                        property.WriteTo(writer);
                    }
                    writer.WriteEndObject();
                }
                return buffer.ToArray();
            }
        }

        private static JsonDocument Parse(byte[] json)
        {
            try
            {
                var doc = JsonDocument.Parse(json);
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                {
                    doc.Dispose();
                    throw new InvalidDataException("The Dolt config file is not a JSON object.");
                }
                return doc;
            }
            catch (JsonException e)
            {
                // The message names a position, never the content.
                throw new InvalidDataException("The Dolt config file is not valid JSON (line " + (e.LineNumber + 1) + ").");
            }
        }
    }
}
